import { AbortedError, ConfigError, FameError, type AccessToken, type TokenProvider } from '@naylence/core';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { defaultCryptoProvider } from '../platform/index.js';
import {
  accessTokenFromResponse,
  describeOAuthError,
  OAuth2TokenRequestError,
  raceAbort,
  readJsonBody,
  tokenUrlOf,
} from './token-response.js';

/** RFC 7636 unreserved characters, the alphabet of a code verifier. */
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
/** RFC 7636 §4.1: a verifier has 43 to 128 characters. */
export const PKCE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A code verifier and its challenge (RFC 7636). */
export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256' | 'plain';
}

/** A random verifier of `length` (43–128, default 64) characters and its S256 (or plain) challenge. */
export function createPkcePair(length = 64, method: 'S256' | 'plain' = 'S256'): PkcePair {
  if (!Number.isInteger(length) || length < 43 || length > 128)
    throw new ConfigError(`PKCE: code verifier length must be 43..128, got ${length}`);
  const verifier = randomString(length);
  return { verifier, challenge: pkceChallenge(verifier, method), method };
}

/** The challenge of `verifier`: base64url(SHA-256(verifier)) for S256, the verifier for plain. */
export function pkceChallenge(verifier: string, method: 'S256' | 'plain' = 'S256'): string {
  if (method === 'plain') return verifier;
  return base64UrlEncode(defaultCryptoProvider().sha256(utf8Encode(verifier)));
}

function randomString(length: number): string {
  // Bytes >= 198 (3 × 66) are skipped so that every character is equally likely.
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of defaultCryptoProvider().randomBytes(length * 2)) {
      if (byte < 198 && out.length < length) out.push(UNRESERVED[byte % 66]!);
    }
  }
  return out.join('');
}

/** Where a pending authorization (state, verifier) waits across a redirect: `sessionStorage` fits. */
export interface PkceStateStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface OAuth2PkceOptions {
  /** The authorization endpoint, e.g. `https://auth.example/oauth/authorize`. */
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  /** Registered redirect URI the authorization server sends the code to. */
  readonly redirectUri: string;
  /** Only for confidential clients; browsers have none. */
  readonly clientSecret?: string;
  /** Default `['node.connect']`. */
  readonly scopes?: readonly string[];
  readonly audience?: string;
  /** Default 64. */
  readonly codeVerifierLength?: number;
  /** Default `S256`. */
  readonly challengeMethod?: 'S256' | 'plain';
  /** Sent as `<loginHintParam>=<loginHint>` when set. Param default `login_hint`. */
  readonly loginHint?: string;
  readonly loginHintParam?: string;
  /** A cached token is replaced this long before it expires. Default 30 000 ms. */
  readonly refreshBeforeExpiryMs?: number;
  /**
   * Runs the user-agent leg: open `authorizationUrl` (log in, consent) and resolve with the URL
   * the server redirected to (`redirectUri?code=…&state=…`). Absent (browsers): the page
   * navigates to the authorization endpoint, and the page at `redirectUri` calls
   * {@link OAuth2PkceTokenProvider.completeRedirect}.
   */
  readonly authorize?: (authorizationUrl: string, signal?: AbortSignal) => Promise<string>;
  /** Keeps the pending state across the redirect. Default `globalThis.sessionStorage`, else memory. */
  readonly storage?: PkceStateStorage;
  /** Default `globalThis.location.assign`. */
  readonly navigate?: (url: string) => void;
}

export interface OAuth2PkceTokenProvider extends TokenProvider {
  /** On the redirect page: exchange the code in `callbackUrl` (default `location.href`) for a token. */
  completeRedirect(callbackUrl?: string, signal?: AbortSignal): Promise<AccessToken>;
}

interface Pending {
  readonly state: string;
  readonly verifier: string;
}

/**
 * A {@link TokenProvider} for the authorization-code grant with PKCE (admission-and-http §5.1,
 * `OAuth2PkceTokenProvider`), for browsers and public clients: no secret, a fresh S256
 * verifier per authorization, `state` checked on return, tokens kept in memory only.
 * Uses WebCrypto and the global `fetch`, so it runs in browsers and Node alike.
 * @throws ConfigError for missing or invalid URLs or client id
 */
export function oauth2PkceTokenProvider(options: OAuth2PkceOptions): OAuth2PkceTokenProvider {
  const authorizeUrl = tokenUrlOf(options.authorizeUrl, 'OAuth2 PKCE authorize URL');
  const tokenUrl = tokenUrlOf(options.tokenUrl, 'OAuth2 PKCE');
  if (!options.clientId) throw new ConfigError('OAuth2 PKCE: a client id is required');
  tokenUrlOf(options.redirectUri, 'OAuth2 PKCE redirect URI');
  const method = options.challengeMethod ?? 'S256';
  const verifierLength = options.codeVerifierLength ?? 64;
  if (!Number.isInteger(verifierLength) || verifierLength < 43 || verifierLength > 128) {
    throw new ConfigError(`OAuth2 PKCE: codeVerifierLength must be 43..128, got ${verifierLength}`);
  }
  const refreshBeforeMs = options.refreshBeforeExpiryMs ?? 30_000;
  const storage = options.storage ?? (globalThis as { sessionStorage?: PkceStateStorage }).sessionStorage ?? memoryStorage();
  const storageKey = `naylence.pkce.${options.clientId}`;
  const what = `authorization-code exchange at ${tokenUrl.origin}${tokenUrl.pathname}`;
  let cached: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;

  function authorizationUrl(): { url: string; pending: Pending } {
    const pair = createPkcePair(verifierLength, method);
    const state = randomString(32);
    const url = new URL(authorizeUrl.href);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', options.clientId);
    url.searchParams.set('redirect_uri', options.redirectUri);
    url.searchParams.set('code_challenge', pair.challenge);
    url.searchParams.set('code_challenge_method', method);
    url.searchParams.set('state', state);
    url.searchParams.set('scope', (options.scopes ?? ['node.connect']).join(' '));
    if (options.loginHint) url.searchParams.set(options.loginHintParam ?? 'login_hint', options.loginHint);
    return { url: url.href, pending: { state, verifier: pair.verifier } };
  }

  async function exchange(callbackUrl: string, pending: Pending, signal?: AbortSignal): Promise<AccessToken> {
    const params = new URL(callbackUrl).searchParams;
    const error = params.get('error');
    if (error !== null) throw new OAuth2TokenRequestError('AUTHENTICATION_FAILED', `authorization refused: ${error}`);
    if (params.get('state') !== pending.state)
      throw new OAuth2TokenRequestError('AUTHENTICATION_FAILED', 'authorization response has the wrong state');
    const code = params.get('code');
    if (!code) throw new OAuth2TokenRequestError('AUTHENTICATION_FAILED', 'authorization response has no code');
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      code_verifier: pending.verifier,
      client_id: options.clientId,
    });
    if (options.clientSecret) form.set('client_secret', options.clientSecret);
    if (options.audience) form.set('audience', options.audience);
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        ...(signal !== undefined && { signal }),
      });
    } catch (cause) {
      if (signal?.aborted) throw new AbortedError(what, { cause });
      throw new OAuth2TokenRequestError('TOKEN_ENDPOINT_ERROR', `${what} failed: ${(cause as Error).message}`, undefined, { cause });
    }
    const payload = await readJsonBody(response, what);
    if (!response.ok) {
      const code = response.status >= 500 ? 'TOKEN_ENDPOINT_ERROR' : 'AUTHENTICATION_FAILED';
      throw new OAuth2TokenRequestError(
        code,
        `${what} failed with HTTP ${response.status} (${describeOAuthError(payload)})`,
        response.status,
      );
    }
    cached = accessTokenFromResponse(payload, Date.now(), what);
    return cached;
  }

  async function authorize(signal?: AbortSignal): Promise<AccessToken> {
    const { url, pending } = authorizationUrl();
    if (options.authorize !== undefined) return exchange(await options.authorize(url, signal), pending, signal);
    storage.setItem(storageKey, JSON.stringify(pending));
    const navigate =
      options.navigate ??
      ((target: string) => (globalThis as unknown as { location: { assign(u: string): void } }).location.assign(target));
    navigate(url);
    throw new AbortedError('token request (the page is redirecting to the authorization endpoint)');
  }

  return {
    async getToken(signal) {
      if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
      if (cached !== undefined && (cached.expiresAt === undefined || cached.expiresAt.getTime() - refreshBeforeMs > Date.now()))
        return cached;
      inflight ??= authorize(signal).finally(() => {
        inflight = undefined;
      });
      return signal === undefined ? inflight : raceAbort(inflight, signal, what);
    },
    async completeRedirect(callbackUrl, signal) {
      const raw = storage.getItem(storageKey);
      storage.removeItem(storageKey);
      if (raw === null) throw new FameError('AUTHENTICATION_FAILED', 'no pending PKCE authorization (state lost or already used)');
      const pending = JSON.parse(raw) as Pending;
      const url = callbackUrl ?? (globalThis as unknown as { location: { href: string } }).location.href;
      return exchange(url, pending, signal);
    },
  };
}

function memoryStorage(): PkceStateStorage {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}
