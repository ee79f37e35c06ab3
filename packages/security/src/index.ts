/**
 * `@naylence/security`: token providers, JWT/JWKS, auth injection and authorizers for the FAME
 * agent fabric (envelope signing, verification and encryption live here too).
 *
 * Everything here implements a contract from `@naylence/core`, so it plugs into any listener
 * or dialer without either package knowing the other:
 *
 * - Authorizers (`Authorizer`): {@link sharedSecretAuthorizer}, {@link noopAuthorizer},
 *   {@link oauth2Authorizer} (`oauth2`, `oauth2-gated`), {@link oauth2CallbackAuthorizer}
 *   (HS256 reverse auth), {@link policyAuthorizer} (basic policy files), and
 *   {@link authorizationProfiles}: the same built from the reference's environment variables.
 * - Token providers (`TokenProvider`): {@link staticTokenProvider},
 *   {@link oauth2ClientCredentialsTokenProvider}, {@link oauth2PkceTokenProvider}.
 * - Auth injection: {@link authInjectionFromConfig}, {@link webSocketDialerAuth},
 *   {@link applyAuthInjection}.
 * - JWT with `jose`: {@link createJwtIssuer}, {@link createJwksVerifier},
 *   {@link createHmacJwtVerifier}, signing keys and a rotating {@link JwtKeyRing}.
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

// Shared secrets and static tokens.
export { sharedSecretAuthorizer, DEFAULT_SHARED_SECRET_PRINCIPAL, type SharedSecretAuthorizerOptions } from './shared-secret-authorizer.js';
export { staticTokenProvider } from './static-token-provider.js';

// JWT: algorithms, keys, issuer, verifiers, errors.
export {
  ASYMMETRIC_JWT_ALGORITHMS,
  HMAC_JWT_ALGORITHMS,
  DEFAULT_JWKS_ALGORITHMS,
  parseJwtAlgorithm,
  type AsymmetricJwtAlgorithm,
  type HmacJwtAlgorithm,
  type JwtAlgorithm,
} from './jwt/algorithms.js';
export {
  generateJwtSigningKey,
  importJwtSigningKey,
  hmacSigningKey,
  JwtKeyRing,
  MIN_HMAC_SECRET_BYTES,
  type JwtSigningKey,
  type JsonWebKeySet,
} from './jwt/signing-keys.js';
export { createJwtIssuer, DEFAULT_TOKEN_TTL_SEC, type JwtIssuer, type JwtIssuerOptions, type IssueOptions } from './jwt/jwt-issuer.js';
export {
  createJwksVerifier,
  createLocalJwksVerifier,
  DEFAULT_JWKS_CACHE_MAX_AGE_MS,
  DEFAULT_JWKS_REFETCH_COOLDOWN_MS,
  DEFAULT_JWKS_TIMEOUT_MS,
  type JwksVerifierOptions,
} from './jwt/jwks-verifier.js';
export { createHmacJwtVerifier, type HmacJwtVerifierOptions } from './jwt/hmac-verifier.js';
export { DEFAULT_CLOCK_TOLERANCE_SEC, type TokenVerifier, type VerifiedToken, type JwtClaimChecks } from './jwt/verify.js';
export { TokenVerificationError, type TokenFailure } from './jwt/token-errors.js';
export { bearerToken, grantedScopes } from './jwt/claims.js';

// Token providers and auth injection.
export { OAuth2TokenRequestError } from './tokens/token-response.js';
export {
  oauth2ClientCredentialsTokenProvider,
  type OAuth2ClientCredentialsOptions,
  type OAuth2ClientCredentialsTokenProvider,
} from './tokens/client-credentials.js';
export {
  oauth2PkceTokenProvider,
  createPkcePair,
  pkceChallenge,
  PKCE_VERIFIER_PATTERN,
  type OAuth2PkceOptions,
  type OAuth2PkceTokenProvider,
  type PkcePair,
  type PkceStateStorage,
} from './tokens/pkce.js';
export { tokenProviderFromConfig, type TokenProviderConfigOptions } from './tokens/token-provider-config.js';
export {
  authInjectionFromConfig,
  applyAuthInjection,
  webSocketDialerAuth,
  bearerTokenHeaderAuth,
  queryParamAuth,
  webSocketSubprotocolAuth,
  NO_AUTH,
  type AuthInjection,
  type ConnectionCredentials,
} from './tokens/auth-injection.js';

// Authorizers and authorization profiles.
export { noopAuthorizer } from './authorization/noop-authorizer.js';
export {
  oauth2Authorizer,
  defaultJwksUrl,
  type OAuth2Authorizer,
  type OAuth2AuthorizerOptions,
} from './authorization/oauth2-authorizer.js';
export {
  oauth2CallbackAuthorizer,
  DEFAULT_REVERSE_AUTH_ISSUER,
  DEFAULT_REVERSE_AUTH_AUDIENCE,
  DEFAULT_REVERSE_AUTH_TTL_SEC,
  REVERSE_AUTH_KID,
  type OAuth2CallbackAuthorizer,
  type OAuth2CallbackAuthorizerOptions,
  type ReverseAuthorization,
} from './authorization/callback-authorizer.js';
export { nodeBindingViolation, type NodeBindingOptions } from './authorization/node-binding.js';
export { subjectFingerprint } from './authorization/subject-fingerprint.js';
export {
  basicAuthorizationPolicy,
  POLICY_ACTIONS,
  type AuthorizationPolicy,
  type PolicyAction,
  type PolicyDecision,
  type PolicyEffect,
  type PolicyRequest,
  type PolicyRule,
  type ScopeRequirement,
} from './authorization/policy/basic-policy.js';
export { globMatches } from './authorization/policy/glob.js';
export { policyAuthorizer, loadPolicyFile, type PolicyAuthorizer, type RouteRequest } from './authorization/policy/policy-authorizer.js';
export {
  authorizationProfiles,
  canonicalAuthorizationProfileName,
  type AuthorizationProfileContext,
  type AuthorizationProfileName,
  type AuthorizerFactory,
} from './authorization/profiles.js';
