/**
 * `${env:NAME}` / `${env:NAME:default}` in config strings, as the reference's profile
 * templates write them: replaced by the variable's value (an empty value counts as set), else
 * the default; a variable without a default that is not set is a `ConfigError`.
 */
import { ConfigError } from '@naylence/core';
import type { Environment } from '../config-values.js';

const EXPRESSION = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

function evaluateString(text: string, env: Environment): string {
  return text.replace(EXPRESSION, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`environment variable ${name} is required by the configuration but not set`);
  });
}

/** A copy of `value` with every env expression in its strings evaluated. */
export function evaluateEnvExpressions<T>(value: T, env: Environment): T {
  if (typeof value === 'string') return evaluateString(value, env) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => evaluateEnvExpressions(item, env)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateEnvExpressions(item, env)])) as T;
  }
  return value;
}
