import type { AuthorizationContext, Authorizer } from '@naylence/core';

const ANONYMOUS: AuthorizationContext = Object.freeze({ authenticated: true, authorized: true, authMethod: 'noop' });

/**
 * The `noop` authorizer (admission-and-http §6.2, `NoopAuthorizer`): every link is
 * authenticated and every attach authorized, with or without credentials. For open fabrics and
 * tests; a sentinel asked to be gated must never fall back to it.
 */
export function noopAuthorizer(): Authorizer {
  return {
    authenticate: () => Promise.resolve(ANONYMOUS),
    authorizeAttach: () => Promise.resolve(true),
  };
}
