import { InvalidAddressError } from './errors.js';
import { ADDRESS_PATTERN } from './wire/primitives.js';

/**
 * FAME addresses (protocol-core §2): `participant@location`, where the location is a host
 * (`fame.fabric`, pools `*.fame.fabric`), a physical path (`/sentinel/agent`), or both.
 * Comparison is exact string comparison; routing tables key on the full string.
 */
export interface ParsedAddress {
  readonly participant: string;
  /** Host part, e.g. `fame.fabric` or the pool pattern `*.fame.fabric`. */
  readonly host?: string;
  /** Path part with its leading `/`, e.g. `/n1z4APh1v66jwtuJ/uLCVO7F9EAxxrQHB`. */
  readonly path?: string;
}

/** Participant of every node's system inbox, `__sys__@{physicalPath}`. */
export const SYSTEM_INBOX = '__sys__';
/** Prefix of RPC reply inboxes, `__rpc__{id}@{physicalPath}`. */
export const RPC_INBOX_PREFIX = '__rpc__';
/** The fabric root logical (env `FAME_ROOT` overrides it in the reference). */
export const DEFAULT_ROOT_LOGICAL = 'fame.fabric';

const addressRegex = new RegExp(ADDRESS_PATTERN);
const participantRegex = /^[A-Za-z0-9_-]+$/;
const hostSegment = /^[A-Za-z0-9-]+$/;
const pathSegment = /^[A-Za-z0-9._-]+$/;

export function isValidAddress(text: string): boolean {
  return addressRegex.test(text);
}

/** The two halves of an address, split at its last `@` (no validation). */
export interface AddressParts {
  readonly participant: string;
  /** Everything after the `@`: a host, a path starting with `/`, or a host followed by a path. */
  readonly location: string;
}

/**
 * Splits `participant@location` at the last `@`, without validating either part: the cheap
 * split routing does per envelope on addresses the codec already validated. Undefined when there
 * is no `@` or nothing before it.
 */
export function splitAddress(address: string): AddressParts | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { participant: address.slice(0, at), location: address.slice(at + 1) };
}

/** The host of a location (`fame.fabric` of `fame.fabric/api`); `''` for a path-only location. */
export function locationHost(location: string): string {
  const slash = location.indexOf('/');
  return slash < 0 ? location : location.slice(0, slash);
}

/** Explains why `text` is not an address, or returns undefined when it is one. */
function problem(text: string): string | undefined {
  if (!text.includes('@')) return 'missing "@"';
  const { participant, location } = splitAddress(text) ?? { participant: '', location: text.slice(1) };
  if (!participantRegex.test(participant)) return `participant ${JSON.stringify(participant)} must be letters, digits, "_" or "-"`;
  if (location === '') return 'empty location';
  const host = locationHost(location);
  const path = host.length === location.length ? undefined : location.slice(host.length);
  if (host !== '') {
    const labels = host.split('.');
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (label === '*') {
        if (i > 0) return 'wildcard "*" is only allowed as the leftmost host label';
      } else if (!hostSegment.test(label)) return `host label ${JSON.stringify(label)} must be letters, digits or "-"`;
    }
  }
  if (path !== undefined && path !== '/') {
    const segments = path.slice(1).split('/');
    for (const segment of segments) {
      if (segment === '') return 'empty path segment';
      if (!pathSegment.test(segment)) return `path segment ${JSON.stringify(segment)} must be letters, digits, ".", "_" or "-"`;
    }
  }
  return isValidAddress(text) ? undefined : 'does not match the address grammar';
}

/** @throws InvalidAddressError with the reason */
export function parseAddress(text: string): ParsedAddress {
  const parsed = tryParseAddress(text);
  if (parsed === undefined) throw new InvalidAddressError(text, problem(text) ?? 'does not match the address grammar');
  return parsed;
}

export function tryParseAddress(text: string): ParsedAddress | undefined {
  if (!addressRegex.test(text)) return undefined;
  const { participant, location } = splitAddress(text)!;
  if (location.startsWith('/')) return { participant, path: location };
  const host = locationHost(location);
  if (host.length === location.length) return { participant, host };
  return { participant, host, path: location.slice(host.length) };
}

/** @throws InvalidAddressError when the parts do not form a valid address */
export function formatAddress(parts: ParsedAddress): string {
  const text = `${parts.participant}@${parts.host ?? ''}${parts.path ?? ''}`;
  const reason = problem(text);
  if (reason !== undefined) throw new InvalidAddressError(text, reason);
  return text;
}

/** `name@{physicalPath}`, e.g. the system inbox `__sys__@/a/b`. */
export function physicalAddress(participant: string, physicalPath: string): string {
  return formatAddress({ participant, path: physicalPath });
}

/** Names the runtime owns: `__sys__` and `__rpc__…`. They are never bound upstream. */
export function isReservedParticipant(participant: string): boolean {
  return participant === SYSTEM_INBOX || participant.startsWith(RPC_INBOX_PREFIX);
}

/** A pool pattern is a host whose leftmost label is `*`, e.g. `*.fame.fabric`. */
export function isPoolPattern(host: string): boolean {
  return host === '*' || host.startsWith('*.');
}

/**
 * Whether `host` belongs to pool `pattern`: for `*.S`, `S` itself and every host ending in
 * `.S`; `*` alone matches every host.
 */
export function hostMatchesPool(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(2);
  return host === suffix || (host.length > suffix.length && host.endsWith(suffix) && host[host.length - suffix.length - 1] === '.');
}

/** Number of labels after the `*`: larger is more specific. */
export function poolSpecificity(pattern: string): number {
  return pattern === '*' ? 0 : pattern.split('.').length - 1;
}

/**
 * The most specific pool pattern (most labels) among `patterns` that `host` belongs to.
 * Ties keep the first pattern given.
 */
export function matchPool(host: string, patterns: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const pattern of patterns) {
    if (!hostMatchesPool(host, pattern)) continue;
    const score = poolSpecificity(pattern);
    if (score > bestScore) {
      best = pattern;
      bestScore = score;
    }
  }
  return best;
}

/** The longest system id a node may use (it is a physical path segment, sent in URLs and paths). */
export const MAX_SYSTEM_ID_LENGTH = 128;

/**
 * Why `systemId` cannot be a node's system id, or undefined when it can. A system id is one
 * segment of a physical path (protocol-core §2.2, §2.7), so it follows that grammar: letters,
 * digits, `.`, `_`, `-`, at most {@link MAX_SYSTEM_ID_LENGTH} characters, not `.` or `..`. That
 * excludes `/`, percent-encoded separators (`%2F`: `%` is no segment character), whitespace and
 * control characters, which could otherwise place a node under another one's path.
 */
export function systemIdProblem(systemId: string): string | undefined {
  if (systemId === '') return 'empty';
  if (systemId.length > MAX_SYSTEM_ID_LENGTH) return `longer than ${MAX_SYSTEM_ID_LENGTH} characters`;
  if (systemId === '.' || systemId === '..') return 'not a path segment';
  if (!pathSegment.test(systemId)) return 'only letters, digits, ".", "_" and "-" are allowed';
  return undefined;
}

/** Whether `systemId` is a valid system id (see {@link systemIdProblem}). */
export function isValidSystemId(systemId: string): boolean {
  return systemIdProblem(systemId) === undefined;
}

/** Whether the physical path `path` is `ancestor` or lies below it. */
export function isPathWithin(path: string, ancestor: string): boolean {
  return path === ancestor || (path.length > ancestor.length && path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 47);
}
