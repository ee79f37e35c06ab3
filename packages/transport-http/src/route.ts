import { MAX_SYSTEM_ID_LENGTH, type OriginType } from '@naylence/core';

/** Prefix of every HTTP ingress route (protocol-core §4.9). */
export const INGRESS_PREFIX = '/fame/v1/ingress';
/** `GET` here answers the listener's health. */
export const INGRESS_HEALTH_PATH = `${INGRESS_PREFIX}/health`;
/** Where a parent POSTs to its child: the path of the child's callback grant URL. */
export const UPSTREAM_PATH = `${INGRESS_PREFIX}/upstream`;
/** Where a child POSTs to its parent (`/{systemId}` appended). */
export const DOWNSTREAM_PATH = `${INGRESS_PREFIX}/downstream`;

/**
 * Our extension headers (ignored by the reference, which never sends them). A sender that
 * puts `x-fame-link` on its requests and gets it echoed back knows the receiver orders
 * requests by `x-fame-seq`, drops duplicates, and understands a `DELETE` as the close of the
 * link; only then does it pipeline requests and send that `DELETE`.
 */
export const LINK_HEADER = 'x-fame-link';
export const SEQ_HEADER = 'x-fame-seq';

/** A parsed ingress route. */
export type IngressRoute =
  | { readonly kind: 'child'; readonly originType: OriginType; readonly systemId: string }
  | { readonly kind: 'upstream' }
  | { readonly kind: 'health' }
  | { readonly kind: 'invalid' };

/** The path part of a request target (no query, no fragment). */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** Whether `path` is under {@link INGRESS_PREFIX}, i.e. the listener owns it. */
export function isIngressPath(path: string): boolean {
  return path.startsWith(INGRESS_PREFIX) && (path.length === INGRESS_PREFIX.length || path[INGRESS_PREFIX.length] === '/');
}

/**
 * Parses an ingress path: `/upstream`, `/health`, `/downstream/{systemId}` or `/peer/{systemId}`
 * (origin segment case-insensitive, system id percent-decoded). Anything else is invalid.
 */
export function parseIngressRoute(path: string): IngressRoute {
  const segments = path.slice(INGRESS_PREFIX.length + 1).split('/');
  const [first, rawId] = segments;
  if (segments.length === 1) {
    if (first === 'upstream') return { kind: 'upstream' };
    if (first === 'health') return { kind: 'health' };
    return { kind: 'invalid' };
  }
  if (segments.length !== 2 || !first || !rawId) return { kind: 'invalid' };
  const originType = first.toLowerCase();
  if (originType !== 'downstream' && originType !== 'peer') return { kind: 'invalid' };
  try {
    return { kind: 'child', originType, systemId: decodeURIComponent(rawId) };
  } catch {
    return { kind: 'invalid' };
  }
}

/** Parsed request paths kept by {@link IngressRoutes} (one per child link, plus upstream); past it the table starts over. */
const MAX_REMEMBERED_ROUTES = 1024;
/**
 * The longest path remembered: a child's (its origin segment and a system id of at most
 * {@link MAX_SYSTEM_ID_LENGTH} characters, percent-encoded) fits; anything longer cannot be a
 * link's, so requests (before authentication) cannot fill the table with long junk paths.
 */
const MAX_REMEMBERED_PATH = INGRESS_PREFIX.length + '/downstream/'.length + 3 * MAX_SYSTEM_ID_LENGTH;

/**
 * {@link parseIngressRoute}, remembering each link's path for its next request (every request of
 * a link has the same one). Invalid and over-long paths are parsed each time, never kept.
 */
export class IngressRoutes {
  readonly #known = new Map<string, IngressRoute>();

  parse(path: string): IngressRoute {
    let route = this.#known.get(path);
    if (route === undefined) {
      route = parseIngressRoute(path);
      if (route.kind === 'invalid' || path.length > MAX_REMEMBERED_PATH) return route;
      if (this.#known.size >= MAX_REMEMBERED_ROUTES) this.#known.clear();
      this.#known.set(path, route);
    }
    return route;
  }

  /** Paths remembered now. */
  get size(): number {
    return this.#known.size;
  }
}

/** The value of an `x-fame-seq` header; undefined when absent or not a non-negative integer. */
export function parseSeq(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seq = Number(value);
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}

/** `url` with `/{segment}` appended to its path (a `/` is added only when missing), query kept. */
export function appendPathSegment(url: URL, segment: string): URL {
  const out = new URL(url.href);
  out.pathname = `${out.pathname.endsWith('/') ? out.pathname : `${out.pathname}/`}${encodeURIComponent(segment)}`;
  return out;
}

/** A URL for logs and errors: no query (it may carry a token) and no credentials. */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
