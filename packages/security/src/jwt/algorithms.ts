import { ConfigError } from '@naylence/core';

/** Public-key JWS algorithms a verifier may accept (keys come from a JWKS or a PEM). */
export const ASYMMETRIC_JWT_ALGORITHMS = ['EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;
/** Shared-secret JWS algorithms (reverse-auth callbacks). */
export const HMAC_JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

export type AsymmetricJwtAlgorithm = (typeof ASYMMETRIC_JWT_ALGORITHMS)[number];
export type HmacJwtAlgorithm = (typeof HMAC_JWT_ALGORITHMS)[number];
export type JwtAlgorithm = AsymmetricJwtAlgorithm | HmacJwtAlgorithm;

/** What the reference's JWKS verifier accepts when no list is configured (admission-and-http §5.3). */
export const DEFAULT_JWKS_ALGORITHMS: readonly AsymmetricJwtAlgorithm[] = Object.freeze(['EdDSA', 'RS256', 'ES256']);

const CANONICAL = new Map<string, JwtAlgorithm>(
  [...ASYMMETRIC_JWT_ALGORITHMS, ...HMAC_JWT_ALGORITHMS].map((alg) => [alg.toLowerCase(), alg]),
);

/**
 * The canonical name of a JWS algorithm (`eddsa` → `EdDSA`).
 * @param what names the setting in the error, e.g. `FAME_JWT_ALGORITHM`
 * @throws ConfigError for `none` and anything this package cannot verify
 */
export function parseJwtAlgorithm(value: string, what: string): JwtAlgorithm {
  const alg = CANONICAL.get(value.trim().toLowerCase());
  if (alg === undefined) {
    throw new ConfigError(
      `${what}: unsupported JWT algorithm ${JSON.stringify(value)} (supported: ${[...CANONICAL.values()].join(', ')}; "none" is never accepted)`,
    );
  }
  return alg;
}

export function isHmacAlgorithm(alg: string): alg is HmacJwtAlgorithm {
  return (HMAC_JWT_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * Checks a verifier's allow-list of public-key algorithms: not empty, no `none`, no HMAC (an
 * HS256 token "signed" with a published public key must never verify).
 * @throws ConfigError naming `what`
 */
export function asymmetricAllowList(list: readonly string[], what: string): readonly AsymmetricJwtAlgorithm[] {
  if (list.length === 0) throw new ConfigError(`${what}: the algorithm allow-list is empty`);
  return Object.freeze(
    list.map((value) => {
      const alg = parseJwtAlgorithm(value, what);
      if (isHmacAlgorithm(alg)) {
        throw new ConfigError(
          `${what}: ${alg} needs a shared secret; a public-key verifier accepts only ${ASYMMETRIC_JWT_ALGORITHMS.join(', ')}`,
        );
      }
      return alg;
    }),
  );
}

/**
 * Checks a shared-secret verifier's allow-list: HMAC algorithms only.
 * @throws ConfigError naming `what`
 */
export function hmacAllowList(list: readonly string[], what: string): readonly HmacJwtAlgorithm[] {
  if (list.length === 0) throw new ConfigError(`${what}: the algorithm allow-list is empty`);
  return Object.freeze(
    list.map((value) => {
      const alg = parseJwtAlgorithm(value, what);
      if (!isHmacAlgorithm(alg))
        throw new ConfigError(`${what}: a shared-secret verifier accepts only ${HMAC_JWT_ALGORITHMS.join(', ')}, not ${alg}`);
      return alg;
    }),
  );
}
