import { ConfigError, type Environment } from '@naylence/core';

export type { Environment } from '@naylence/core';

/** `process.env` where there is one (Node), else an empty environment (browsers). */
export function processEnv(): Environment {
  return (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
}

/** A plain config object as it comes from JSON/YAML (either casing). */
export type ConfigObject = Readonly<Record<string, unknown>>;

function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `config[name]`, else `config[snake_case(name)]` (reference configs carry both casings). */
export function configValue(config: ConfigObject, name: string): unknown {
  const value = config[name];
  return value !== undefined ? value : config[snakeCase(name)];
}

/** A string option in either casing; undefined when absent or empty. @throws ConfigError for a non-string */
export function configString(config: ConfigObject, name: string, what: string): string | undefined {
  const value = configValue(config, name);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${what}: ${name} must be a string`);
  return value;
}

/** A list of strings: an array, or one space/comma-separated string. */
export function configStrings(config: ConfigObject, name: string, what: string): string[] | undefined {
  const value = configValue(config, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new ConfigError(`${what}: ${name} must be a list of strings`);
}

/** An object option in either casing. */
export function configObject(config: ConfigObject, name: string, what: string): ConfigObject | undefined {
  const value = configValue(config, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${what}: ${name} must be an object`);
  return value as ConfigObject;
}

/** A trimmed, non-empty environment variable, else undefined. */
export function envString(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean environment variable (`true/false/1/0/yes/no/on/off`). @throws ConfigError naming it */
export function envBoolean(env: Environment, name: string, fallback: boolean): boolean {
  const value = envString(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(env[name])}`);
}

/** A positive integer environment variable. @throws ConfigError naming it */
export function envInteger(env: Environment, name: string, fallback: number): number {
  const value = envString(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Resolves a "secret source" (admission-and-http §5.1): a plain string, `env://VAR`, or a
 * credential-provider config `{type:"EnvCredentialProvider", varName}` /
 * `{type:"StaticCredentialProvider", credentialValue}` (either casing). Secret stores and
 * prompts are not supported here: they fail with a ConfigError rather than run without the secret.
 * @throws ConfigError when the source is unsupported or resolves to nothing
 */
export function resolveSecret(source: unknown, env: Environment, what: string): string {
  let value: string | undefined;
  if (typeof source === 'string') {
    if (source.startsWith('env://')) {
      const name = source.slice('env://'.length);
      value = envString(env, name);
      if (value === undefined) throw new ConfigError(`${what}: environment variable ${name} is not set`);
    } else if (source.startsWith('secret://')) {
      throw new ConfigError(`${what}: secret-store references (secret://) are not supported`);
    } else value = source;
  } else if (typeof source === 'object' && source !== null) {
    const config = source as ConfigObject;
    const type = config.type;
    if (type === 'EnvCredentialProvider') {
      const name = configString(config, 'varName', what);
      if (name === undefined) throw new ConfigError(`${what}: EnvCredentialProvider needs varName`);
      value = envString(env, name);
      if (value === undefined) throw new ConfigError(`${what}: environment variable ${name} is not set`);
    } else if (type === 'StaticCredentialProvider') {
      value = configString(config, 'credentialValue', what);
    } else {
      throw new ConfigError(`${what}: unsupported credential provider ${JSON.stringify(type)}`);
    }
  }
  if (value === undefined || value === '') throw new ConfigError(`${what}: no value`);
  return value;
}
