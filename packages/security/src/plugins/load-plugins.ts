/**
 * Loading security plug-ins named in `FAME_PLUGINS`, the reference's way (protocol-security
 * §7): a comma or space separated list of module names; for a package name the module
 * `<name>/plugin` is tried first, then `<name>`; its plug-in object is the `default` export,
 * else the `plugin` export, else the module itself, and must have a `register` function. We
 * call `register(registry)` with the registries to add profiles and component factories to (a
 * reference-style `register()` ignores the argument).
 *
 * Fail closed: a named plug-in that cannot be imported, is not a plug-in or whose `register`
 * throws is a `ConfigError` naming it, so the node refuses to start rather than run without the
 * security it was asked for. The reference runtime's own entries (`@naylence/runtime`,
 * `@naylence/agent-sdk`, which its processes add to `FAME_PLUGINS` for their children) are
 * skipped: they register nothing here.
 */
import { ConfigError } from '@naylence/core';
import { processEnv, type Environment } from '../config-values.js';
import { defaultProfileRegistry, type ProfileRegistry } from '../policy/profiles.js';
import { importModule } from '../platform/index.js';
import { defaultComponentRegistry, type SecurityComponentRegistry } from './component-registry.js';

export const ENV_PLUGINS = 'FAME_PLUGINS';

/** The reference runtime's own plug-in names, skipped by default. */
export const REFERENCE_RUNTIME_PLUGINS: readonly string[] = ['@naylence/runtime', '@naylence/agent-sdk'];

/** What a plug-in registers into. */
export interface SecurityPluginRegistry {
  readonly profiles: ProfileRegistry;
  readonly components: SecurityComponentRegistry;
}

/** A plug-in module's plug-in object (the reference's `FamePlugin` shape, with the registry passed in). */
export interface SecurityPlugin {
  readonly name: string;
  readonly version?: string;
  register(registry: SecurityPluginRegistry): void | Promise<void>;
}

export interface LoadSecurityPluginsOptions {
  /** Module names; default: `FAME_PLUGINS` from `env`. */
  readonly plugins?: string | readonly string[];
  /** Default `process.env` where it exists. */
  readonly env?: Environment;
  /** Default: the process-wide profile and component registries. */
  readonly registry?: SecurityPluginRegistry;
  /** Imports a module by specifier; default: the platform's (Node also resolves from the working directory). */
  readonly importer?: (specifier: string) => Promise<Record<string, unknown>>;
  /** Names to skip; default the reference runtime's own plug-ins. */
  readonly ignore?: readonly string[];
}

export interface LoadedSecurityPlugin {
  readonly specifier: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** The process-wide registries (`defaultProfileRegistry()`, `defaultComponentRegistry()`). */
export function defaultSecurityPluginRegistry(): SecurityPluginRegistry {
  return { profiles: defaultProfileRegistry(), components: defaultComponentRegistry() };
}

const loadedInto = new WeakMap<ProfileRegistry, Set<string>>();

function isBarePackage(specifier: string): boolean {
  if (/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return false;
  return specifier.startsWith('@') ? specifier.split('/').length === 2 : !specifier.includes('/');
}

function pluginOf(module: Record<string, unknown>): SecurityPlugin | undefined {
  const candidate = (module.default ?? module.plugin ?? module) as Partial<SecurityPlugin> | undefined;
  return candidate && typeof candidate === 'object' && typeof candidate.register === 'function' ? (candidate as SecurityPlugin) : undefined;
}

function refuse(specifier: string, what: string, cause?: unknown): ConfigError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ConfigError(`${ENV_PLUGINS} names ${JSON.stringify(specifier)}, which ${what}${detail}; refusing to start`, { cause });
}

/** A module that does not exist (as opposed to one that failed while loading). */
function isNotFound(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
  return typeof message === 'string' && /cannot find (module|package)|failed to (resolve|load)|not exported|"exports"/i.test(message);
}

/** Parses a `FAME_PLUGINS` value: comma or whitespace separated, duplicates dropped. */
export function parsePluginList(value: string | readonly string[] | undefined): string[] {
  const items = typeof value === 'string' ? value.split(/[\s,]+/) : [...(value ?? [])];
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

/**
 * Imports and registers every named plug-in, in order; a plug-in (by name) already registered
 * into the same registry is not registered again.
 * @throws ConfigError naming the plug-in that could not be loaded or registered
 */
export async function loadSecurityPlugins(options: LoadSecurityPluginsOptions = {}): Promise<LoadedSecurityPlugin[]> {
  const env = options.env ?? processEnv();
  const ignore = new Set(options.ignore ?? REFERENCE_RUNTIME_PLUGINS);
  const registry = options.registry ?? defaultSecurityPluginRegistry();
  const importer = options.importer ?? importModule;
  let done = loadedInto.get(registry.profiles);
  if (!done) loadedInto.set(registry.profiles, (done = new Set()));
  const loaded: LoadedSecurityPlugin[] = [];
  for (const specifier of parsePluginList(options.plugins ?? env[ENV_PLUGINS])) {
    if (ignore.has(specifier)) continue;
    let module: Record<string, unknown>;
    try {
      module = await importer(isBarePackage(specifier) ? `${specifier}/plugin` : specifier);
    } catch (first) {
      if (!isBarePackage(specifier) || !isNotFound(first)) throw refuse(specifier, 'cannot be imported', first);
      try {
        module = await importer(specifier);
      } catch (error) {
        throw refuse(specifier, 'cannot be imported', error);
      }
    }
    const plugin = pluginOf(module);
    if (!plugin) throw refuse(specifier, 'exports no plug-in object with a register() function');
    const name = typeof plugin.name === 'string' && plugin.name !== '' ? plugin.name : specifier;
    if (!done.has(name)) {
      try {
        await plugin.register(registry);
      } catch (error) {
        throw refuse(specifier, 'failed to register', error);
      }
      done.add(name);
    }
    loaded.push({ specifier, name, version: typeof plugin.version === 'string' ? plugin.version : undefined });
  }
  return loaded;
}
