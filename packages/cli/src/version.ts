import { readFileSync } from 'node:fs';

/** The version in this package's package.json (read once, lazily). */
export function cliVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
let cached: string | undefined;
