/**
 * Logicals a node may ask for (admission-and-http §8.5): DNS host names (labels of letters,
 * digits and `-`, 1–63 characters, no `-` at either end; at most 253 characters), optionally
 * a pool `*.` in front. The messages are the reference's, so a client sees the same reason.
 */
const DNS_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const MAX_HOSTNAME_LENGTH = 253;

/** Why `logical` is not a valid host logical, or undefined when it is. */
export function hostLogicalError(logical: string): string | undefined {
  if (logical === '') return 'Empty host logical';
  if (logical.includes('*')) {
    if (!logical.startsWith('*.')) return `Host logical '${logical}' contains wildcard not in leftmost position`;
    const base = logical.slice(2);
    if (base === '') return `Host logical '${logical}' has wildcard but no base domain`;
    if (!isHostname(base)) return `Host logical '${logical}' base domain '${base}' is not a valid DNS hostname`;
    if (logical.length > MAX_HOSTNAME_LENGTH) return `Host logical '${logical}' exceeds 253 characters`;
    return undefined;
  }
  if (!isHostname(logical)) return `Host logical '${logical}' is not a valid DNS hostname`;
  return undefined;
}

/** The first error among `logicals`, or undefined when all are valid. */
export function hostLogicalsError(logicals: readonly string[]): string | undefined {
  for (const logical of logicals) {
    const error = hostLogicalError(logical);
    if (error !== undefined) return error;
  }
  return undefined;
}

function isHostname(name: string): boolean {
  if (name.length > MAX_HOSTNAME_LENGTH) return false;
  return name.split('.').every((label) => DNS_LABEL.test(label));
}
