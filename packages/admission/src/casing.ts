/**
 * Key casing of admission messages (admission-and-http §2.1, pitfall P1): the reference's
 * welcome client writes envelope members in snake_case and the frame in camelCase, and converts
 * every key of a response to camelCase before reading it; Python peers use either casing.
 */

/** A JSON object as it arrives. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `trace_id` → `traceId` (leading/trailing underscores kept, as the reference does). */
export function camelCase(key: string): string {
  return key.replace(/([a-z0-9])_([a-z0-9])/gi, (_m, a: string, b: string) => a + b.toUpperCase());
}

/** `traceId` → `trace_id`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Every key of `value`, recursively, in camelCase. When both casings of a key are present the
 * camelCase one wins (it is the canonical one on our wire).
 */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = camelCase(key);
    if (name !== key && Object.hasOwn(value, name)) continue;
    out[name] = camelCaseKeys(inner);
  }
  return out;
}

/** The top-level keys of `value` in snake_case (nested values untouched). */
export function snakeCaseTopLevel(value: JsonObject): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeCase(key), inner]));
}

/** `object[name]`, else `object[snake_case(name)]`. */
export function member(object: JsonObject, name: string): unknown {
  const value = object[name];
  return value !== undefined ? value : object[snakeCase(name)];
}
