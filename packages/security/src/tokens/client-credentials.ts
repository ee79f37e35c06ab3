import { AbortedError, ConfigError, FameError, NOOP_LOGGER, type AccessToken, type Logger, type TokenProvider } from '@naylence/core';
import { fetch } from '../platform/fetch.js';
import {
  accessTokenFromResponse,
  describeOAuthError,
  OAuth2TokenRequestError,
  raceAbort,
  readJsonBody,
  tokenUrlOf,
  unverifiedSubject,
} from './token-response.js';

export interface OAuth2ClientCredentialsOptions {
  /** The token endpoint, e.g. `https://auth.example/oauth/token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Requested scopes. Default `['node.connect']`. */
  readonly scopes?: readonly string[];
  /** Requested audience (`audience` form field), e.g. `fame.fabric`. */
  readonly audience?: string;
  /** A cached token is replaced this long before it expires. Default 30 000 ms. */
  readonly refreshBeforeExpiryMs?: number;
  /** Attempts per token request (network errors, HTTP 429 and 5xx are retried). Default 3. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter, up to 5 s. Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Time allowed for one request. Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** A client-credentials provider also tells who its tokens are for (decoded, not verified). */
export interface OAuth2ClientCredentialsTokenProvider extends TokenProvider {
  /** The `sub` of the current token, fetching one if needed (token-subject identity policy). */
  getIdentity(signal?: AbortSignal): Promise<{ readonly subject: string } | undefined>;
}

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * A {@link TokenProvider} for the OAuth2 client-credentials grant (admission-and-http §5.1,
 * `OAuth2ClientCredentialsTokenProvider`): `POST tokenUrl` with
 * `grant_type=client_credentials&client_id=…&client_secret=…[&scope=…][&audience=…]` as a form
 * (credentials in the body, as the reference sends them), with `undici` on Node and the
 * browser's `fetch` under the `browser` export condition.
 *
 * The token is cached and replaced 30 s before it expires; concurrent callers share one
 * request. Network errors, 429 and 5xx answers are retried with exponential backoff. A 4xx
 * answer (wrong secret, unknown client) fails at once with `AUTHENTICATION_FAILED`; an endpoint
 * that stays unreachable fails with `TOKEN_ENDPOINT_ERROR`. Messages carry the status and the
 * OAuth2 error, never the secret.
 *
 * @throws ConfigError when the URL, client id or secret is missing or invalid
 *
 * @example
 * ```ts
 * import { WebSocketDialer } from '@naylence/transport-ws';
 * import { oauth2ClientCredentialsTokenProvider } from '@naylence/security';
 *
 * const tokenProvider = oauth2ClientCredentialsTokenProvider({
 *   tokenUrl: 'http://127.0.0.1:8099/oauth/token', clientId: 'my-client', clientSecret: process.env.SECRET!,
 *   audience: 'fame.fabric',
 * });
 * const dialer = new WebSocketDialer({ url, tokenProvider }); // a fresh token on every dial
 * ```
 */
export function oauth2ClientCredentialsTokenProvider(options: OAuth2ClientCredentialsOptions): OAuth2ClientCredentialsTokenProvider {
  const url = tokenUrlOf(options.tokenUrl, 'OAuth2 client credentials');
  if (typeof options.clientId !== 'string' || options.clientId === '')
    throw new ConfigError('OAuth2 client credentials: a client id is required');
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '') {
    throw new ConfigError('OAuth2 client credentials: a client secret is required');
  }
  const scopes = options.scopes ?? ['node.connect'];
  const refreshBeforeMs = options.refreshBeforeExpiryMs ?? 30_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logger = (options.logger ?? NOOP_LOGGER).child({
    component: 'oauth2-client-credentials',
    tokenUrl: `${url.origin}${url.pathname}`,
  });
  const what = `token request to ${url.origin}${url.pathname}`;

  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret });
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  if (options.audience !== undefined && options.audience !== '') form.set('audience', options.audience);
  const body = form.toString();

  let cached: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;

  const fresh = (token: AccessToken | undefined): token is AccessToken =>
    token !== undefined && (token.expiresAt === undefined || token.expiresAt.getTime() - refreshBeforeMs > Date.now());

  async function requestOnce(): Promise<AccessToken> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const payload = await readJsonBody(response, what);
    if (response.ok) return accessTokenFromResponse(payload, Date.now(), what);
    const detail = describeOAuthError(payload);
    const message = `${what} failed with HTTP ${response.status}${detail ? ` (${detail})` : ''}`;
    const retryable = response.status === 429 || response.status >= 500;
    throw new OAuth2TokenRequestError(retryable ? 'TOKEN_ENDPOINT_ERROR' : 'AUTHENTICATION_FAILED', message, response.status);
  }

  async function request(): Promise<AccessToken> {
    for (let attempt = 1; ; attempt++) {
      try {
        const token = await requestOnce();
        logger.debug({ attempt, expiresAt: token.expiresAt?.toISOString() }, 'token fetched');
        return token;
      } catch (error) {
        const failure =
          error instanceof FameError
            ? error
            : new OAuth2TokenRequestError('TOKEN_ENDPOINT_ERROR', `${what} failed: ${(error as Error).message}`, undefined, {
                cause: error,
              });
        if (failure.code !== 'TOKEN_ENDPOINT_ERROR' || attempt >= maxAttempts) {
          logger.warn({ attempt, code: failure.code, err: failure.message }, 'token request failed');
          throw failure;
        }
        const delay = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        logger.info({ attempt, delayMs: Math.round(delay), err: failure.message }, 'token request failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function getToken(signal?: AbortSignal): Promise<AccessToken> {
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
    if (fresh(cached)) return cached;
    inflight ??= request().then(
      (token) => {
        cached = token;
        inflight = undefined;
        return token;
      },
      (error: unknown) => {
        inflight = undefined;
        throw error;
      },
    );
    return signal === undefined ? inflight : raceAbort(inflight, signal, what);
  }

  return {
    getToken,
    async getIdentity(signal) {
      const subject = unverifiedSubject((await getToken(signal)).value);
      return subject === undefined ? undefined : { subject };
    },
  };
}
