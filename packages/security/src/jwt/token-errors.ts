import { errors as joseErrors } from 'jose';
import { FameError, type FameErrorOptions } from '@naylence/core';

/** Why a token was refused. */
export type TokenFailure =
  | 'missing'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'missing_claim'
  | 'missing_scope'
  | 'keys_unavailable';

/**
 * A token that does not verify. Code `AUTHENTICATION_FAILED` (WebSocket close 1008, HTTP 401);
 * `failure` says why. Messages follow the reference's normalized texts ("Token has expired",
 * "Invalid audience", "Invalid issuer", "Invalid token") plus detail.
 */
export class TokenVerificationError extends FameError {
  override name = 'TokenVerificationError';
  readonly failure: TokenFailure;
  constructor(failure: TokenFailure, message: string, options?: FameErrorOptions) {
    super('AUTHENTICATION_FAILED', message, options);
    this.failure = failure;
  }
}

/** Turns whatever `jose` (or a JWKS fetch) threw into a {@link TokenVerificationError}. */
export function toTokenError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  const cause = { cause: error };
  if (error instanceof joseErrors.JWTExpired) return new TokenVerificationError('expired', 'Token has expired', cause);
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new TokenVerificationError('invalid_issuer', 'Invalid issuer', cause);
      case 'aud':
        return new TokenVerificationError('invalid_audience', 'Invalid audience', cause);
      case 'nbf':
        return new TokenVerificationError('not_yet_valid', 'Invalid token: not yet valid (nbf)', cause);
      case 'iat':
        return new TokenVerificationError(
          error.reason === 'missing' ? 'missing_claim' : 'expired',
          `Invalid token: ${error.message}`,
          cause,
        );
      default:
        return new TokenVerificationError(
          error.reason === 'missing' ? 'missing_claim' : 'malformed',
          `Invalid token: ${error.message}`,
          cause,
        );
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return new TokenVerificationError('algorithm_not_allowed', 'Invalid token: algorithm not allowed', cause);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return new TokenVerificationError('invalid_signature', 'Invalid token: bad signature', cause);
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return new TokenVerificationError('unknown_key', 'Invalid token: no published key matches its kid', cause);
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return new TokenVerificationError('keys_unavailable', `Invalid token: verification keys unavailable (${error.message})`, cause);
  }
  if (error instanceof joseErrors.JOSEError) return new TokenVerificationError('malformed', `Invalid token: ${error.message}`, cause);
  // Anything else comes from fetching the key set (network, HTTP status, JSON).
  const message = error instanceof Error ? error.message : String(error);
  return new TokenVerificationError('keys_unavailable', `Invalid token: verification keys unavailable (${message})`, cause);
}
