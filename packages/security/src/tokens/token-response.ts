import { AbortedError, ConfigError, FameError, type AccessToken } from '@naylence/core';
import { stringClaim, unverifiedClaims } from '../jwt/claims.js';

/** Default lifetime when a token response has no `expires_in` (the reference's default). */
export const DEFAULT_EXPIRES_IN_SEC = 3600;
/** Largest token-endpoint response body read. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The token in an OAuth2 token response (`access_token`, `expires_in` or `expires`). */
export function accessTokenFromResponse(body: unknown, now: number, what: string): AccessToken {
  if (typeof body !== 'object' || body === null) throw new FameError('TOKEN_ENDPOINT_ERROR', `${what}: the response is not a JSON object`);
  const record = body as Record<string, unknown>;
  const value = record.access_token;
  if (typeof value !== 'string' || value === '') throw new FameError('TOKEN_ENDPOINT_ERROR', `${what}: the response has no access_token`);
  const tokenType = record.token_type;
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new FameError('TOKEN_ENDPOINT_ERROR', `${what}: unsupported token_type ${JSON.stringify(tokenType)}`);
  }
  const expiresIn = toSeconds(record.expires_in) ?? toSeconds(record.expires) ?? DEFAULT_EXPIRES_IN_SEC;
  return Object.freeze({ value, expiresAt: new Date(now + expiresIn * 1000) });
}

function toSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The `sub` of a JWT access token, decoded **without** verification (the reference's
 * `getIdentity()`, used only to derive a node id under the token-subject identity policy).
 */
export function unverifiedSubject(token: string): string | undefined {
  const claims = unverifiedClaims(token);
  return claims === undefined ? undefined : stringClaim(claims, 'sub');
}

/** Reads a response body as JSON, refusing bodies over {@link MAX_TOKEN_RESPONSE_BYTES}. */
export async function readJsonBody(body: { text(): Promise<string> }, what: string): Promise<unknown> {
  const text = await body.text();
  if (text.length > MAX_TOKEN_RESPONSE_BYTES) throw new FameError('TOKEN_ENDPOINT_ERROR', `${what}: response body too large`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** An OAuth2 error body's `error` and `error_description`, for messages. */
export function describeOAuthError(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const { error, error_description: description } = body as Record<string, unknown>;
    if (typeof error === 'string') return typeof description === 'string' ? `${error}: ${description}` : error;
  }
  return typeof body === 'string' ? body.slice(0, 200) : '';
}

/** The token endpoint refused the request or could not be used. */
export class OAuth2TokenRequestError extends FameError {
  override name = 'OAuth2TokenRequestError';
  /** HTTP status of the last answer, if there was one. */
  readonly status: number | undefined;
  constructor(code: 'AUTHENTICATION_FAILED' | 'TOKEN_ENDPOINT_ERROR', message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

/** `promise`, or an AbortedError as soon as `signal` aborts (the shared request goes on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError(what, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(what, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Validates a token endpoint URL. @throws ConfigError */
export function tokenUrlOf(value: string | undefined, what: string): URL {
  if (value === undefined || value === '') throw new ConfigError(`${what}: a token URL is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what}: invalid token URL ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${what}: the token URL must use http: or https:`);
  return url;
}
