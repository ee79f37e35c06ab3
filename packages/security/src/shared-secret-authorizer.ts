import { ConfigError, type AuthorizationContext, type Authorizer } from '@naylence/core';
import { constantTimeEqual } from './crypto/constant-time.js';
import { bearerToken } from './jwt/claims.js';

/** The principal the reference's shared-secret authorizer reports; ours defaults to it too. */
export const DEFAULT_SHARED_SECRET_PRINCIPAL = 'shared_secret_user';

export type SharedSecretAuthorizerOptions = (
  { readonly secret: string; readonly secrets?: never } | { readonly secrets: readonly string[]; readonly secret?: never }
) & {
  /** Reported as `principal` for every authenticated link. Default `shared_secret_user`. */
  readonly principal?: string;
};

/**
 * An {@link Authorizer} that admits a link presenting one of a few shared secrets as its
 * bearer token (admission-and-http §6.2, `SharedSecretAuthorizer`). Several secrets let you
 * rotate one without a window where nobody can attach.
 *
 * Unlike the reference, which compares with `===` (weakness S4), the presented token is
 * compared in constant time: both sides are hashed with SHA-256 and the digests compared
 * with the crypto provider's `timingSafeEqual`, against every configured secret, so neither the secret's content,
 * its length nor which secret matched shows in the timing.
 *
 * Credentials are `"Bearer <token>"` as listeners pass them; a leading `Bearer ` (any case) is
 * stripped, and a bare token is accepted as well. No credentials, or a wrong token, give
 * `undefined` (the listener refuses the link with 1008 `Authentication failed`).
 *
 * @throws ConfigError (`INVALID_CONFIG`) when no secret is given or a secret is empty
 *
 * @example
 * ```ts
 * import { WebSocketListener } from '@naylence/transport-ws';
 * import { sharedSecretAuthorizer } from '@naylence/security';
 *
 * const listener = new WebSocketListener({ port: 8000, authorizer: sharedSecretAuthorizer({ secret: process.env.TOKEN! }) });
 * ```
 */
export function sharedSecretAuthorizer(options: SharedSecretAuthorizerOptions): Authorizer {
  const secrets = options.secrets ?? (options.secret === undefined ? [] : [options.secret]);
  if (secrets.length === 0) throw new ConfigError('sharedSecretAuthorizer needs a secret (or a non-empty list of secrets)');
  if (secrets.some((s) => typeof s !== 'string' || s === ''))
    throw new ConfigError('sharedSecretAuthorizer: a secret must be a non-empty string');
  const context: AuthorizationContext = Object.freeze({
    authenticated: true,
    principal: options.principal ?? DEFAULT_SHARED_SECRET_PRINCIPAL,
    authMethod: 'shared-secret',
  });
  return {
    authenticate(credentials) {
      const token = bearerToken(credentials);
      if (token === undefined) return Promise.resolve(undefined);
      let match = false;
      // Every secret is compared, whatever the outcome of the earlier ones.
      for (const secret of secrets) match = constantTimeEqual(token, secret) || match;
      return Promise.resolve(match ? context : undefined);
    },
  };
}
