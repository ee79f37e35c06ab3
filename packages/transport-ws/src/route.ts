import { systemIdProblem, type OriginType } from '@naylence/core';

/** Path prefix of WebSocket attach routes: `/fame/v1/attach/ws/{originType}/{systemId}`. */
export const ATTACH_PATH_PREFIX = '/fame/v1/attach/ws';
/** `GET` here answers the listener's health (protocol-core §4.1). */
export const HEALTH_PATH = '/fame/v1/attach/health';

/** A parsed attach route, or why it is refused (the close reason, sent with 1008). */
export type AttachRoute =
  | { readonly ok: true; readonly originType: OriginType; readonly systemId: string }
  | { readonly ok: false; readonly reason: 'Invalid origin type' | 'Invalid attach route' | 'Invalid system id' };

/** The path part of a request target (no query, no fragment). */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** Whether `path` is under {@link ATTACH_PATH_PREFIX}, i.e. the listener owns it. */
export function isAttachPath(path: string): boolean {
  return path.startsWith(ATTACH_PATH_PREFIX) && (path.length === ATTACH_PATH_PREFIX.length || path[ATTACH_PATH_PREFIX.length] === '/');
}

/**
 * Parses an attach path (one {@link isAttachPath} accepted). The origin segment is
 * case-insensitive; the system id is percent-decoded. A path that is not exactly two non-empty
 * segments under the prefix is an invalid route; a well-formed path with another origin
 * segment is an invalid origin type; a system id that is no valid path segment once decoded
 * (a `/` or another percent-encoded separator, control characters, over 128 characters) is an
 * invalid system id (it would place the node under another node's path).
 */
export function parseAttachRoute(path: string): AttachRoute {
  // (index arithmetic rather than split/toLowerCase/decode on every attach: this runs per connection)
  const start = ATTACH_PATH_PREFIX.length + 1;
  const slash = path.indexOf('/', start);
  if (slash <= start || slash === path.length - 1 || path.indexOf('/', slash + 1) !== -1)
    return { ok: false, reason: 'Invalid attach route' };
  const origin = path.slice(start, slash);
  const originType = origin === 'downstream' || origin === 'peer' ? origin : origin.toLowerCase();
  if (originType !== 'downstream' && originType !== 'peer') return { ok: false, reason: 'Invalid origin type' };
  const rawId = path.slice(slash + 1);
  let systemId = rawId;
  if (rawId.includes('%')) {
    try {
      systemId = decodeURIComponent(rawId);
    } catch {
      return { ok: false, reason: 'Invalid attach route' };
    }
  }
  if (systemIdProblem(systemId) !== undefined) return { ok: false, reason: 'Invalid system id' };
  return { ok: true, originType, systemId };
}

/** The bearer token a client presented on the upgrade, and the subprotocol to select. */
export interface BearerOffer {
  readonly token?: string;
  /** The subprotocol to echo in the 101 (the offered `bearer` entry, as the client spelled it). */
  readonly protocol?: string;
}

const BEARER = /^bearer$/i;
const BEARER_WITH_TOKEN = /^bearer\s+(\S+)$/i;
const AUTHORIZATION_BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * Reads the bearer token of an upgrade request (protocol-core §4.2):
 * `Sec-WebSocket-Protocol: bearer, <token>` (first entry `bearer`, case-insensitive; the token
 * is the next entry), or a first entry `bearer <token>`, else `Authorization: Bearer <token>`.
 */
export function readBearerOffer(protocolHeader: string | undefined, authorization: string | undefined): BearerOffer {
  if (protocolHeader !== undefined) {
    const entries = protocolHeader.split(',').map((entry) => entry.trim());
    const first = entries[0] ?? '';
    if (BEARER.test(first)) {
      const token = entries[1];
      return token ? { token, protocol: first } : { protocol: first };
    }
    const single = BEARER_WITH_TOKEN.exec(first);
    if (single?.[1] !== undefined) return { token: single[1], protocol: 'bearer' };
  }
  const header = authorization === undefined ? undefined : AUTHORIZATION_BEARER.exec(authorization);
  return header?.[1] !== undefined ? { token: header[1] } : {};
}
