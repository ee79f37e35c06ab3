/**
 * `@naylence/security`: token providers and authorizers for the FAME agent fabric (envelope
 * signing, verification, encryption and JWT/JWKS will follow).
 *
 * Everything here implements a contract from `@naylence/core`, so it plugs into any listener
 * or dialer without either package knowing the other:
 *
 * - {@link sharedSecretAuthorizer}: an `Authorizer` admitting links that present one of a few
 *   shared secrets as bearer token, compared in constant time.
 * - {@link staticTokenProvider}: a `TokenProvider` that always returns one token.
 *
 * @example
 * ```ts
 * import { sharedSecretAuthorizer, staticTokenProvider } from '@naylence/security';
 *
 * const authorizer = sharedSecretAuthorizer({ secret: 's3cret' });
 * const { value } = await staticTokenProvider('s3cret').getToken();
 * const context = await authorizer.authenticate(`Bearer ${value}`);
 * console.log(context?.principal); // "shared_secret_user"
 * ```
 *
 * @packageDocumentation
 */
export { sharedSecretAuthorizer, DEFAULT_SHARED_SECRET_PRINCIPAL, type SharedSecretAuthorizerOptions } from './shared-secret-authorizer.js';
export { staticTokenProvider } from './static-token-provider.js';
