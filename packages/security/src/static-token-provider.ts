import { AbortedError, ConfigError, type AccessToken, type TokenProvider } from '@naylence/core';
import { unverifiedSubject } from './tokens/token-response.js';

/**
 * A {@link TokenProvider} that always hands out the same token (admission-and-http §5.1,
 * `StaticTokenProvider`): a shared secret, or a token minted elsewhere. Like the reference's, it
 * exposes the `sub` of a JWT token as its identity (`getIdentity`, decoded without verification).
 *
 * @param token the bearer token
 * @param expiresAt when the token stops being valid: a `Date`, epoch milliseconds or an
 *   ISO-8601 string (the reference accepts the same three forms); absent = never
 * @throws ConfigError (`INVALID_CONFIG`) for an empty token or an unparsable `expiresAt`
 *
 * @example
 * ```ts
 * import { WebSocketDialer } from '@naylence/transport-ws';
 * import { staticTokenProvider } from '@naylence/security';
 *
 * const dialer = new WebSocketDialer({ url, tokenProvider: staticTokenProvider('s3cret') });
 * ```
 */
export function staticTokenProvider(token: string, expiresAt?: Date | number | string): TokenProvider {
  if (typeof token !== 'string' || token === '') throw new ConfigError('staticTokenProvider needs a non-empty token');
  const expiry = expiresAt === undefined ? undefined : toDate(expiresAt);
  const access: AccessToken = Object.freeze(expiry === undefined ? { value: token } : { value: token, expiresAt: expiry });
  const subject = unverifiedSubject(token);
  const identity = subject === undefined ? undefined : Object.freeze({ subject });
  return {
    getToken(signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError('fetching a static token', { cause: signal.reason }));
      return Promise.resolve(access);
    },
    getIdentity: () => Promise.resolve(identity),
  };
}

function toDate(value: Date | number | string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new ConfigError(`staticTokenProvider: invalid expiresAt ${JSON.stringify(String(value))}`);
  return date;
}
