import { PKCE_VERIFIER_PATTERN, constantTimeEqual, pkceChallenge } from '@naylence/security';
import { OAuth2Error } from '../errors.js';
import { randomToken } from './secrets.js';

/** What an authorization code stands for until it is redeemed. */
export interface CodeGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly method: 'S256' | 'plain';
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/** Most codes outstanding at once; more fail with `server_error` instead of growing memory. */
export const MAX_PENDING_CODES = 10_000;

/**
 * Single-use authorization codes (admission-and-http §8.3–§8.4): random 32-byte base64url
 * codes with a TTL, bounded in number, deleted on redemption whatever its outcome.
 */
export class AuthorizationCodes {
  readonly #codes = new Map<string, CodeGrant>();
  readonly #ttlMs: number;

  constructor(ttlSec: number) {
    this.#ttlMs = ttlSec * 1000;
  }

  issue(grant: Omit<CodeGrant, 'expiresAt'>): string {
    this.#sweep();
    if (this.#codes.size >= MAX_PENDING_CODES) throw new OAuth2Error('server_error', 'Too many pending authorization codes');
    const code = randomToken();
    this.#codes.set(code, { ...grant, expiresAt: Date.now() + this.#ttlMs });
    return code;
  }

  /**
   * Redeems `code` for `clientId` at `redirectUri` with the PKCE `verifier`.
   * @throws OAuth2Error `invalid_grant` (unknown, expired, other redirect, wrong verifier) or
   *   `invalid_client` (issued to another client)
   */
  redeem(code: string, clientId: string, redirectUri: string, verifier: string): CodeGrant {
    const grant = this.#codes.get(code);
    this.#codes.delete(code);
    if (grant === undefined || grant.expiresAt <= Date.now())
      throw new OAuth2Error('invalid_grant', 'Invalid or expired authorization code');
    if (!constantTimeEqual(clientId, grant.clientId)) throw new OAuth2Error('invalid_client', 'Invalid client credentials');
    if (redirectUri !== grant.redirectUri) throw new OAuth2Error('invalid_grant', 'redirect_uri does not match the authorization request');
    const computed = pkceChallenge(verifier, grant.method);
    if (!constantTimeEqual(computed, grant.challenge))
      throw new OAuth2Error('invalid_grant', 'code_verifier does not match the code_challenge');
    return grant;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [code, grant] of this.#codes) if (grant.expiresAt <= now) this.#codes.delete(code);
  }
}

/** @throws OAuth2Error `invalid_request` unless `value` is a 43–128 character PKCE verifier/challenge. */
export function checkPkceString(value: unknown, name: string): string {
  if (typeof value !== 'string' || !PKCE_VERIFIER_PATTERN.test(value)) {
    throw new OAuth2Error('invalid_request', `${name} must be 43-128 characters of [A-Za-z0-9-._~]`);
  }
  return value;
}
