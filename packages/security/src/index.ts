/**
 * `@naylence/security`: envelope signing and verification, node keys, the key store and key
 * exchange frames, the security policy and profiles, the crypto provider they run on, JWT/JWKS,
 * token providers, auth injection and authorizers, for the FAME agent fabric (wire-compatible
 * with `@naylence/runtime` 0.4.12, protocol-security §1–§4, admission-and-http §5–§6).
 *
 * Everything here is a library component: pure functions and small classes that a node's
 * security stage composes, most of them implementing a contract from `@naylence/core` so they
 * plug into any listener or dialer without either package knowing the other. Envelope crypto
 * runs on `node:crypto` on Node and on `@noble/*` in browsers (the package's `browser` export
 * condition), behind one {@link CryptoProvider} interface.
 *
 * - Envelope signing: {@link EnvelopeSigner}, {@link EnvelopeVerifier}, {@link NodeKeys},
 *   {@link KeyStore}, key request/announce frames.
 * - Security policy and profiles: {@link DefaultSecurityPolicy}, {@link resolveSecurityProfile}
 *   (`open`, `overlay`, `gated`, … with their authorizers from {@link authorizationProfiles}).
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

// Crypto provider: one interface, node:crypto on Node, @noble/* in browsers.
export type { CryptoProvider, Ed25519Operations, X25519Operations, Aead, RawKeyPair } from './crypto/provider.js';
export { defaultCryptoProvider } from './platform/index.js';
export { loadNobleCryptoProvider } from './crypto/noble-provider.js';
export { base64UrlEncode, base64Encode, base64Decode } from './crypto/encoding.js';

// Envelope signing (§3).
export { canonicalJson } from './signing/canonical-json.js';
export { secureDigestSync, payloadDigest, frameDigest, frameDigestInput, immutableHeadersJson, bytesToSign } from './signing/digests.js';
export { materializeFrame } from './signing/frame-defaults.js';
export { EnvelopeSigner, type EnvelopeSignerOptions } from './signing/envelope-signer.js';
export {
  EnvelopeVerifier,
  checkPayloadDigest,
  type EnvelopeVerifierOptions,
  type VerificationMode,
  type VerifiedSignature,
} from './signing/envelope-verifier.js';

// Keys (§2, §4).
export { NodeKeys, type NodeKeysOptions } from './keys/node-keys.js';
export { ed25519Jwk, x25519Jwk, publicKeyFromJwk, privateKeyFromJwk, privateJwk, type PublicJwk } from './keys/jwk.js';
export { checkJwk, checkSigningJwk, checkEncryptionJwk, type JwkCheck, type KeyUse } from './keys/jwk-validation.js';
export type { KeyRecord, SigningKeyLookup } from './keys/key-record.js';
export { KeyStore, type KeyStoreOptions, type AddKeysResult, type RejectedKey } from './keys/key-store.js';
export {
  keyRequestFrame,
  keyAnnounceFrame,
  answerKeyRequest,
  acceptAnnouncedKeys,
  type AnnouncedKeys,
  type KeyOrigin,
} from './keys/key-frames.js';
export {
  KeyRequestTracker,
  KEY_REQUEST_TIMEOUT_MS,
  KEY_REQUEST_MAX_ATTEMPTS,
  KEY_REQUEST_SWEEP_INTERVAL_MS,
  type KeyRequestTrackerOptions,
  type KeyRequestToSend,
  type TrackResult,
} from './keys/key-request-tracker.js';

// Security policy (§1.2–§1.3, §3.9, §5.1).
export {
  CRITICAL_FRAME_TYPES,
  NEVER_SIGNED_FRAME_TYPES,
  NO_NACK_FRAME_TYPES,
  type SecurityPolicy,
  type PolicyContext,
  type SecurityRequirements,
  type InboundSignatureDecision,
  type InboundCryptoDecision,
  type AttachCompatibility,
} from './policy/security-policy.js';
export { DefaultSecurityPolicy } from './policy/default-security-policy.js';
export { NoSecurityPolicy } from './policy/no-security-policy.js';
export {
  CRYPTO_LEVELS,
  SECURITY_ACTIONS,
  SIGNATURE_POLICIES,
  SIGNING_MATERIALS,
  SIGNING_DEFAULTS,
  ENCRYPTION_DEFAULTS,
  compareCryptoLevels,
  type CryptoLevel,
  type SecurityAction,
  type SignaturePolicy,
  type SigningMaterial,
  type SigningConfig,
  type EncryptionConfig,
  type SecurityPolicyConfig,
} from './policy/policy-config.js';
export { createSecurityNack, type SecurityNackCode } from './policy/security-nack.js';

// Profiles (§1.1–§1.2).
export {
  ProfileRegistry,
  createProfileRegistry,
  defaultProfileRegistry,
  registerProfile,
  getProfile,
  BUILT_IN_SECURITY_PROFILES,
  SECURITY_PROFILE_BASE_TYPE,
  AUTHORIZER_PROFILE_BASE_TYPE,
  ENV_SECURITY_PROFILE,
  ENV_AUTHORIZATION_PROFILE,
  ENV_DEFAULT_ENCRYPTION_LEVEL,
  DEFAULT_SECURITY_PROFILE,
  type ProfileConfig,
  type RegisterProfileOptions,
} from './policy/profiles.js';
export { resolveSecurityProfile, type ResolveSecurityProfileOptions, type ResolvedSecurityProfile } from './policy/resolve-profile.js';
export { evaluateEnvExpressions, type Environment } from './policy/env-expressions.js';

// Errors (codes and NACK mappings live in @naylence/core's ERROR_CODES).
export {
  InvalidKeyError,
  DecryptionError,
  SignatureRequiredError,
  SignatureInvalidError,
  SidMismatchError,
  UnknownKeyError,
  CryptoLevelViolationError,
  type SignatureFailure,
} from './errors.js';

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
