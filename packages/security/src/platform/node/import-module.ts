/**
 * Imports a plug-in module by name (FAME_PLUGINS) on Node. A bare package name is first
 * resolved from this package, then, as the reference does, from the application's working
 * directory, so an application's own dependencies can be plug-ins.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
}

export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    if (!isNotFound(error) || /^(\.|\/|[a-z]+:)/i.test(specifier)) throw error;
    let resolved: string;
    try {
      resolved = createRequire(pathToFileURL(`${process.cwd()}/`)).resolve(specifier);
    } catch {
      throw error;
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
}
