/**
 * `@naylence/security`: envelope signing and verification, overlay encryption (sealed
 * envelopes and secure channels), node keys, the key store and key exchange frames, the
 * security policy and profiles, the plug points of security add-ons, the crypto provider they
 * run on, JWT/JWKS, token providers, auth injection and authorizers, for the FAME agent fabric
 * (wire-compatible with `@naylence/runtime` 0.4.12, protocol-security §1–§8,
 * admission-and-http §5–§6).
 *
 * Everything here is a library component: pure functions and small classes that a node's
 * security stage composes, most of them implementing a contract from `@naylence/core` so they
 * plug into any listener or dialer without either package knowing the other. Envelope crypto
 * runs on `node:crypto` on Node and on `@noble/*` in browsers, behind one {@link CryptoProvider}
 * interface.
 *
 * Two entries: this one (Node) and `index.browser.ts` (the `browser` export condition), which
 * leaves out JWT/JWKS (`jose`) and the authorizers that verify tokens; token providers, auth
 * injection, signing, encryption, keys, policy, profiles and plug-in loading are in both.
 *
 * - Envelope signing: {@link EnvelopeSigner}, {@link EnvelopeVerifier}, {@link NodeKeys},
 *   {@link KeyStore}, key request/announce frames.
 * - Overlay encryption: {@link sealEnvelope}, {@link DefaultSecureChannelManager}, and the
 *   managers a node runs ({@link SealedEncryptionManager}, {@link ChannelEncryptionManager},
 *   {@link CompositeEncryptionManager}).
 * - Security policy and profiles: {@link DefaultSecurityPolicy}, {@link resolveSecurityProfile}
 *   (`open`, `overlay`, `gated`, … with their authorizers from the same {@link ProfileRegistry},
 *   seeded with {@link authorizationProfiles}, and the components a profile names).
 * - Plug points (§7): interfaces such as {@link KeyValidator} and {@link CertificateManager},
 *   the {@link SecurityComponentRegistry}, and {@link loadSecurityPlugins} (`FAME_PLUGINS`),
 *   which registers a plug-in's profiles, authorization profiles and components.
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
 * import { createEnvelope } from '@naylence/core';
 * import { EnvelopeVerifier, KeyStore, NodeKeys, defaultCryptoProvider } from '@naylence/security';
 *
 * const provider = defaultCryptoProvider();
 * const agent = new NodeKeys({ provider });
 * const signer = agent.envelopeSigner('/sentinel/agent');
 * const signed = signer.sign(createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: { x: 1 } } }));
 *
 * const store = new KeyStore({ provider });
 * store.addKeys(agent.shareableKeys(), '/sentinel/agent'); // keys received at attach
 * const verifier = new EnvelopeVerifier({ provider, keys: store });
 * console.log(verifier.verify(signed, 'final').physicalPath); // "/sentinel/agent"
 * ```
 *
 * @packageDocumentation
 */

// Everything that also runs in browsers: the browser entry's explicit, grouped list.
export * from './index.browser.js';

// Node only from here on (jose).

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

// Authorizers that verify JWTs, and the built-in authorization profiles (seeded into the registry).
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
export { authorizationProfiles } from './authorization/profiles.js';
