import { hmacAllowList, type HmacJwtAlgorithm } from './algorithms.js';
import { hmacSigningKey } from './signing-keys.js';
import { checkClaimOptions, verifyJwt, type JwtClaimChecks, type TokenVerifier } from './verify.js';

export interface HmacJwtVerifierOptions extends JwtClaimChecks {
  /** The shared secret (at least 32 bytes). */
  readonly secret: string;
  /** Default `['HS256']`. HMAC algorithms only. */
  readonly algorithms?: readonly HmacJwtAlgorithm[];
  /** Names the secret's setting in errors, e.g. `FAME_HMAC_SECRET`. */
  readonly secretName?: string;
}

/**
 * A {@link TokenVerifier} for HS256 tokens signed with a shared secret: the reverse-auth tokens
 * a child mints for its parent's HTTP callbacks (`oauth2-callback`). Only HMAC algorithms are
 * accepted, so a public-key token can never be checked against this secret, nor an HMAC token
 * against a public key elsewhere.
 * @throws ConfigError for a missing issuer, a secret under 32 bytes or a non-HMAC algorithm
 */
export function createHmacJwtVerifier(options: HmacJwtVerifierOptions): TokenVerifier {
  checkClaimOptions(options, 'HMAC JWT verifier');
  const algorithms = hmacAllowList(options.algorithms ?? ['HS256'], 'HMAC JWT verifier');
  const { privateKey } = hmacSigningKey({ secret: options.secret, what: options.secretName ?? 'HMAC JWT verifier secret' });
  return { verify: (token, call) => verifyJwt(token, privateKey as Uint8Array, algorithms, options, call?.audience) };
}
