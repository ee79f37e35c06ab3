/**
 * Canonical JSON as both reference runtimes' signers compute it in JavaScript
 * (protocol-security §3.3): object members sorted by key (UTF-16 code unit order, as JS `<`
 * compares), no whitespace, raw non-ASCII, `JSON.stringify` string escaping and number forms
 * (`1.0` → `1`, `1e16` → `10000000000000000`). Members whose value is `undefined` do not
 * exist; `null` members stay. A value with `toJSON` (a `Date`) is replaced by its result.
 *
 * These are the JS forms the TS reference produces; they differ from Python's for `1.0`,
 * `1e16`, integers above 2^53 and keys outside the BMP (§8 C1), and MUST NOT be "fixed".
 * One more JS trait is kept: array-index keys (`"2"`, `"10"`) come first, in numeric order.
 */

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * Keys in the order the reference's output has them. It sorts the members, puts them into a
 * fresh object and stringifies that, and a JS object lists array-index keys (`"2"`, `"10"`)
 * first, in numeric order, before the other keys in insertion (here: sorted) order.
 * `Object.keys` already lists index keys first in numeric order; only the rest needs sorting.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  let indexKeys = 0;
  while (indexKeys < keys.length && ARRAY_INDEX.test(keys[indexKeys]!) && Number(keys[indexKeys]) < 4294967295) indexKeys++;
  if (indexKeys === 0) return keys.sort();
  return keys.slice(0, indexKeys).concat(keys.slice(indexKeys).sort());
}

function write(value: unknown, inArray: boolean): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      // The reference turns a BigInt into its decimal string.
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? 'null' : undefined;
    default:
      break;
  }
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(), inArray);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i], true)!;
    return out + ']';
  }
  const keys = sortedKeys(object);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = write(object[key], false);
    if (member === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + member;
    first = false;
  }
  return out + '}';
}

/** Canonical JSON text of a JSON-like value (`undefined` for `undefined`). */
export function canonicalJson(value: unknown): string {
  return write(value, false) ?? 'null';
}

/**
 * A copy without `null`/`undefined` members and without `null`/`undefined` array elements,
 * recursively (the frame-digest rule of §3.5).
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined).map(withoutNulls);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== null && member !== undefined) out[key] = withoutNulls(member);
    }
    return out;
  }
  return value;
}
