import { decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { ConfigError } from '@naylence/core';
import { TokenVerificationError, toTokenError } from './token-errors.js';

/** What a verifier returns for a good token. */
export interface VerifiedToken {
  /** The payload, plus the header's `kid` as `kid` (as the reference reports it). */
  readonly claims: Readonly<JWTPayload & Record<string, unknown>>;
  readonly header: { readonly alg: string; readonly kid?: string; readonly typ?: string };
}

/** Checks a token's signature and claims. Implementations: JWKS, local keys, shared secret. */
export interface TokenVerifier {
  /**
   * @param options.audience overrides the verifier's expected audience for this call
   * @throws TokenVerificationError (`AUTHENTICATION_FAILED`) with the reason
   */
  verify(token: string, options?: { readonly audience?: string | readonly string[] }): Promise<VerifiedToken>;
}

/** Checks every verifier applies besides the signature. */
export interface JwtClaimChecks {
  /** Required `iss`. */
  readonly issuer: string;
  /** Expected `aud` (any of); absent = `aud` not checked (as the reference's JWKS verifier). */
  readonly audience?: string | readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30 (the reference uses 0). */
  readonly clockToleranceSec?: number;
  /** Refuse tokens without `exp`. Default true (the reference accepts them: weakness S5). */
  readonly requireExpiry?: boolean;
  /** Refuse tokens whose `iat` is older than this (and tokens without `iat`). Default: no limit. */
  readonly maxTokenAgeSec?: number;
}

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;
/** Longest compact JWT we parse; anything longer is garbage or an attack. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** Validates {@link JwtClaimChecks} once, at construction. @throws ConfigError */
export function checkClaimOptions(checks: JwtClaimChecks, what: string): void {
  if (typeof checks.issuer !== 'string' || checks.issuer.trim() === '') throw new ConfigError(`${what}: a trusted issuer is required`);
  const tolerance = checks.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (!(tolerance >= 0)) throw new ConfigError(`${what}: clockToleranceSec must be >= 0`);
}

/**
 * Verifies one compact JWS with `jose`: the header's `alg` must be in `algorithms` (checked
 * first, so `none` and algorithm-confusion tokens never reach a key lookup), then signature,
 * `iss`, `aud`, `exp`, `nbf`, `iat`.
 */
export async function verifyJwt(
  token: string,
  key: JWTVerifyGetKey | Uint8Array,
  algorithms: readonly string[],
  checks: JwtClaimChecks,
  audienceOverride?: string | readonly string[],
): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token === '') throw new TokenVerificationError('missing', 'Invalid token: no token');
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenVerificationError('malformed', 'Invalid token: too long');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (error) {
    throw new TokenVerificationError('malformed', 'Invalid token: not a JWT', { cause: error });
  }
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new TokenVerificationError('algorithm_not_allowed', `Invalid token: algorithm ${JSON.stringify(alg)} is not allowed`);
  }
  const audience = audienceOverride ?? checks.audience;
  const options: JWTVerifyOptions = {
    algorithms: [...algorithms],
    issuer: checks.issuer,
    clockTolerance: checks.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
    requiredClaims: checks.requireExpiry === false ? [] : ['exp'],
    ...(audience !== undefined && { audience: typeof audience === 'string' ? audience : [...audience] }),
    ...(checks.maxTokenAgeSec !== undefined && { maxTokenAge: checks.maxTokenAgeSec }),
  };
  try {
    const result = key instanceof Uint8Array ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
    const header = result.protectedHeader;
    const claims = header.kid === undefined ? result.payload : { ...result.payload, kid: header.kid };
    return {
      claims,
      header: {
        alg: header.alg,
        ...(header.kid !== undefined && { kid: header.kid }),
        ...(header.typ !== undefined && { typ: header.typ }),
      },
    };
  } catch (error) {
    throw toTokenError(error);
  }
}
