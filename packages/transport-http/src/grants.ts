import type { AccessToken, TokenProvider } from '@naylence/core';

/** `type` of the grant that describes an HTTP stateless link (admission-and-http §3.1). */
export const HTTP_CONNECTION_GRANT_TYPE = 'HttpConnectionGrant';

/** An auth injection strategy as it appears in a grant (`grant.auth`, admission-and-http §4). */
export type GrantAuth = Readonly<Record<string, unknown>>;

/** The callback grant a child advertises in `NodeAttach.callbackGrants` (no `purpose`, as the reference writes it). */
export type HttpCallbackGrant = {
  readonly type: typeof HTTP_CONNECTION_GRANT_TYPE;
  readonly url: string;
  readonly auth: GrantAuth;
};

export const NO_AUTH: GrantAuth = Object.freeze({ type: 'NoAuth' });

const NO_AUTH_TYPES = new Set(['NoAuth', 'NoAuthInjectionStrategy']);
const BEARER_TYPES = new Set(['BearerTokenHeaderAuth', 'BearerTokenHeaderAuthInjectionStrategy', 'BearerTokenHeaderAuthStrategy']);

/**
 * The grant auth that makes a parent present `token` as `Authorization: Bearer …` on its
 * callbacks: `BearerTokenHeaderAuth` with a `StaticTokenProvider` (what the reference's
 * reverse-auth authorizers advertise).
 */
export function bearerGrantAuth(token: AccessToken): GrantAuth {
  return {
    type: 'BearerTokenHeaderAuth',
    tokenProvider: {
      type: 'StaticTokenProvider',
      token: token.value,
      ...(token.expiresAt !== undefined && { expiresAt: token.expiresAt.toISOString() }),
    },
  };
}

/**
 * How a parent presents credentials to a child's callback URL: a token provider and the header
 * that carries `Bearer <token>`, or nothing (`NoAuth`).
 */
export interface CallbackCredentials {
  readonly tokenProvider?: TokenProvider;
  readonly headerName: string;
}

/**
 * Turns a grant's `auth` into credentials, or returns undefined when this transport cannot
 * honour it (the attach is then refused: we never call back without the credentials asked
 * for). Understood: `NoAuth` (also a missing `auth`) and `BearerTokenHeaderAuth` (and its
 * aliases) with a `StaticTokenProvider`; both casings of every member. Anything else goes to
 * `resolve`, if given.
 */
export function callbackCredentials(
  auth: unknown,
  resolve?: (auth: GrantAuth) => TokenProvider | undefined,
): CallbackCredentials | undefined {
  if (auth === undefined || auth === null) return { headerName: 'Authorization' };
  if (typeof auth !== 'object' || Array.isArray(auth)) return undefined;
  const record = auth as GrantAuth;
  const type = record.type;
  if (typeof type === 'string' && NO_AUTH_TYPES.has(type)) return { headerName: 'Authorization' };
  const headerName = stringMember(record, 'headerName', 'header_name') ?? 'Authorization';
  if (typeof type === 'string' && BEARER_TYPES.has(type)) {
    const provider = record.tokenProvider ?? record.token_provider;
    const fixed = staticProvider(provider);
    if (fixed !== undefined) return { tokenProvider: fixed, headerName };
  }
  const resolved = resolve?.(record);
  return resolved === undefined ? undefined : { tokenProvider: resolved, headerName };
}

function staticProvider(config: unknown): TokenProvider | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const record = config as Record<string, unknown>;
  if (record.type !== 'StaticTokenProvider') return undefined;
  const value = record.token;
  if (typeof value !== 'string' || value === '') return undefined;
  const rawExpiry = record.expiresAt ?? record.expires_at;
  const expiresAt = typeof rawExpiry === 'string' || typeof rawExpiry === 'number' ? new Date(rawExpiry) : undefined;
  const token: AccessToken = expiresAt !== undefined && !Number.isNaN(expiresAt.getTime()) ? { value, expiresAt } : { value };
  return { getToken: () => Promise.resolve(token) };
}

function stringMember(record: GrantAuth, camel: string, snake: string): string | undefined {
  const value = record[camel] ?? record[snake];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The callback grant a parent uses for a child (protocol-core §4.9): the first
 * `HttpConnectionGrant` with an `http:`/`https:` URL. (The reference falls back to a grant of
 * another transport; an HTTP listener cannot open those, so it refuses instead.)
 */
export function selectCallbackGrant(grants: unknown): { readonly url: URL; readonly auth: unknown } | undefined {
  if (!Array.isArray(grants)) return undefined;
  for (const grant of grants) {
    if (grant === null || typeof grant !== 'object') continue;
    const { type, url, auth } = grant as { type?: unknown; url?: unknown; auth?: unknown };
    if (type !== HTTP_CONNECTION_GRANT_TYPE || typeof url !== 'string') continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { url: parsed, auth };
  }
  return undefined;
}
