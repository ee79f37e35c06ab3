import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet } from 'jose';
import { ConfigError } from '@naylence/core';
import { asymmetricAllowList, DEFAULT_JWKS_ALGORITHMS, type AsymmetricJwtAlgorithm } from './algorithms.js';
import { checkClaimOptions, verifyJwt, type JwtClaimChecks, type TokenVerifier } from './verify.js';

export interface JwksVerifierOptions extends JwtClaimChecks {
  /** Where the issuer publishes its keys, e.g. `https://auth.example/.well-known/jwks.json`. */
  readonly jwksUrl: string | URL;
  /** Algorithms accepted. Default `EdDSA, RS256, ES256`. Public-key algorithms only. */
  readonly algorithms?: readonly AsymmetricJwtAlgorithm[];
  /** How long a fetched key set is used before it is fetched again. Default 300 000 ms. */
  readonly cacheMaxAgeMs?: number;
  /**
   * After a fetch, a token with an unknown kid does not trigger another fetch for this long
   * (the rate limit that keeps garbage kids from hammering the issuer). Default 30 000 ms.
   */
  readonly refetchCooldownMs?: number;
  /** Time allowed for one key-set fetch. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Extra request headers for the key-set fetch. */
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 300_000;
export const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

/**
 * A {@link TokenVerifier} whose keys come from a remote JWKS (the reference's
 * `JWKSJWTTokenVerifier`), fetched with `jose`'s `createRemoteJWKSet`: fetched on first use,
 * cached, fetched again when a token names a kid the cached set lacks (at most once per
 * cooldown), so an issuer can rotate keys without anyone restarting.
 *
 * Refused: an `alg` outside the allow-list (so `none`, and HS256 "signed" with a published
 * public key), a kid the issuer does not publish, a bad signature, a wrong `iss`, a wrong `aud`
 * (when an audience is expected), `exp`/`nbf`/`iat` out of range (with the clock tolerance),
 * and, unless `requireExpiry: false`, a token without `exp`.
 *
 * @throws ConfigError when `issuer` or `jwksUrl` is missing or invalid, or the allow-list holds
 *   anything but public-key algorithms
 *
 * @example
 * ```ts
 * import { createJwksVerifier } from '@naylence/security';
 *
 * const verifier = createJwksVerifier({
 *   jwksUrl: 'https://auth.example/.well-known/jwks.json',
 *   issuer: 'https://auth.example',
 *   audience: 'fame.fabric',
 *   algorithms: ['EdDSA'],
 * });
 * const { claims } = await verifier.verify(token); // throws TokenVerificationError
 * ```
 */
export function createJwksVerifier(options: JwksVerifierOptions): TokenVerifier & { readonly jwksUrl: string } {
  checkClaimOptions(options, 'JWKS verifier');
  const url = jwksUrlOf(options.jwksUrl);
  const algorithms = asymmetricAllowList(options.algorithms ?? DEFAULT_JWKS_ALGORITHMS, 'JWKS verifier');
  const keySet = createRemoteJWKSet(url, {
    cacheMaxAge: options.cacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
    cooldownDuration: options.refetchCooldownMs ?? DEFAULT_JWKS_REFETCH_COOLDOWN_MS,
    timeoutDuration: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS,
    ...(options.headers !== undefined && { headers: { ...options.headers } }),
  });
  return {
    jwksUrl: url.href,
    verify: (token, call) => verifyJwt(token, keySet, algorithms, options, call?.audience),
  };
}

/**
 * A {@link TokenVerifier} with a fixed key set (keys configured in advance, tests, or a
 * PEM-configured trusted issuer): same checks as {@link createJwksVerifier}, no fetching.
 */
export function createLocalJwksVerifier(
  options: JwtClaimChecks & {
    readonly jwks: JSONWebKeySet | { readonly keys: readonly object[] };
    readonly algorithms?: readonly AsymmetricJwtAlgorithm[];
  },
): TokenVerifier {
  checkClaimOptions(options, 'local JWKS verifier');
  const algorithms = asymmetricAllowList(options.algorithms ?? DEFAULT_JWKS_ALGORITHMS, 'local JWKS verifier');
  // Only signing keys: an X25519 `enc` key in the same set must never verify anything.
  const keys = (options.jwks.keys as JSONWebKeySet['keys']).filter((k) => k.use === undefined || k.use === 'sig');
  const keySet = createLocalJWKSet({ keys });
  return { verify: (token, call) => verifyJwt(token, keySet, algorithms, options, call?.audience) };
}

function jwksUrlOf(value: string | URL | undefined): URL {
  if (value === undefined || value === '') throw new ConfigError('JWKS verifier: a JWKS URL is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`JWKS verifier: invalid JWKS URL ${JSON.stringify(String(value))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`JWKS verifier: the JWKS URL must use http: or https:, got ${JSON.stringify(url.protocol)}`);
  }
  return url;
}
