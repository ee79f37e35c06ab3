/**
 * The browser entry of `@naylence/security` (the `browser` export condition): everything of the
 * package that runs without Node built-ins, `jose` or `undici`. Envelope crypto (signing,
 * sealed envelopes, secure channels) runs on `@noble/*`, the client-credentials provider on the
 * browser's `fetch`, `FAME_PLUGINS` modules are loaded with the bundler's or browser's
 * `import()`, and the profile registry starts with the `noop` authorization profile only (a
 * browser node accepts no links).
 *
 * The Node entry (`index.ts`) re-exports all of this and adds JWT/JWKS (`jose`) and the
 * authorizers that verify tokens. The bundle step checks that the browser bundle imports nothing
 * but `@naylence/core` and `@noble/*` (`naylence.browserDependencies` in package.json).
 *
 * @packageDocumentation
 */

// Crypto provider: one interface, node:crypto on Node, @noble/* in browsers (with WebCrypto
// Ed25519 for asynchronous signing where the browser has it).
export type { CryptoProvider, Ed25519Operations, AsyncEd25519Operations, X25519Operations, Aead, RawKeyPair } from './crypto/provider.js';
export { defaultCryptoProvider, loadDefaultCryptoProvider } from './platform/index.js';
export { webCryptoEd25519, detectWebCryptoEd25519, withWebCryptoEd25519 } from './crypto/webcrypto-ed25519.js';
export { loadNobleCryptoProvider } from './crypto/noble-provider.js';
export { base64UrlEncode, base64Encode, base64Decode } from './crypto/encoding.js';
export { constantTimeEqual } from './crypto/constant-time.js';

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

// Overlay encryption (§5): sealed envelopes, secure channels, the managers a node runs.
export {
  sealEnvelope,
  openSealedEnvelope,
  sealedRecipientKid,
  SEALED_ALG,
  SEALED_AES_ALG,
  SEALED_CHACHA_ALG,
  SEALED_ALGORITHMS,
  SEALED_HKDF_INFO,
  SEALED_PREFIX_LENGTH,
  NO_RECIPIENT_KID,
  type SealOptions,
  type SealedRecipient,
} from './encryption/sealed-envelope.js';
export {
  encryptForChannel,
  decryptFromChannel,
  channelNonce,
  CHANNEL_ALG,
  CHANNEL_HANDSHAKE_ALG,
  CHANNEL_HKDF_INFO_PREFIX,
} from './encryption/channel-cipher.js';
export {
  DefaultSecureChannelManager,
  channelIdFor,
  destinationOfChannelId,
  DEFAULT_CHANNEL_TTL_MS,
  DEFAULT_REKEY_MARGIN_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type SecureChannelManager,
  type SecureChannelManagerOptions,
  type ChannelInfo,
  type ChannelAcceptResult,
} from './encryption/secure-channel-manager.js';
export type {
  EncryptionManager,
  EncryptionHost,
  EncryptionOptions,
  EncryptionResult,
  EncryptionStatus,
} from './encryption/encryption-manager.js';
export { SealedEncryptionManager, type SealedEncryptionManagerOptions } from './encryption/sealed-encryption-manager.js';
export {
  ChannelEncryptionManager,
  NEGATIVE_SECURE_ACCEPT,
  HANDSHAKE_TIMEOUT,
  type ChannelEncryptionManagerOptions,
} from './encryption/channel-encryption-manager.js';
export { CompositeEncryptionManager, type CompositeEncryptionManagerOptions } from './encryption/composite-encryption-manager.js';
export {
  keyStoreRecipients,
  type RecipientKey,
  type RecipientKeyResolver,
  type KeyStoreRecipientsOptions,
} from './encryption/recipient-keys.js';
export { ReplayWindow, type ReplayWindowOptions } from './encryption/replay-window.js';
export { PendingEnvelopes, type PendingEnvelopesOptions } from './encryption/pending-envelopes.js';

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
  registerAuthorizerProfile,
  getProfile,
  BUILT_IN_SECURITY_PROFILES,
  SECURITY_PROFILE_BASE_TYPE,
  ENV_DEFAULT_ENCRYPTION_LEVEL,
  DEFAULT_SECURITY_PROFILE,
  type ProfileConfig,
  type RegisterProfileOptions,
  type CreateProfileRegistryOptions,
} from './policy/profiles.js';
export { resolveSecurityProfile, type ResolveSecurityProfileOptions, type ResolvedSecurityProfile } from './policy/resolve-profile.js';
export { evaluateEnvExpressions } from './policy/env-expressions.js';

// A node's security (the fabric's NodeSecurity seam), built from a profile or the environment.
export { createNodeSecurity, type NodeSecurityOptions, type ProfileNodeSecurity } from './node/node-security.js';
export { nodeSecurityFromEnv, type NodeSecurityFromEnvOptions } from './node/security-from-env.js';
export { NodeEncryption, type NodeEncryptionOptions } from './node/node-encryption.js';
export { LINK_HANDSHAKE_FRAMES } from './node/envelope-checks.js';
export type { Environment } from './config-values.js';

// Plug points (§7): the interfaces an add-on implements, its registries, and FAME_PLUGINS.
export {
  jwkKeyValidator,
  type Authorizer,
  type EnvelopeSignerLike,
  type EnvelopeVerifierLike,
  type KeyManager,
  type KeyValidator,
  type KeyValidation,
  type CertificateManager,
  type SecurityProfiles,
} from './plugins/plug-points.js';
export {
  SecurityComponentRegistry,
  defaultComponentRegistry,
  COMPONENT_CONFIG_KEYS,
  type SecurityComponents,
  type SecurityComponentType,
  type SecurityComponentFactory,
  type SecurityComponentContext,
  type ComponentRef,
} from './plugins/component-registry.js';
export {
  loadSecurityPlugins,
  parsePluginList,
  defaultSecurityPluginRegistry,
  ENV_PLUGINS,
  REFERENCE_RUNTIME_PLUGINS,
  type SecurityPlugin,
  type SecurityPluginRegistry,
  type LoadSecurityPluginsOptions,
  type LoadedSecurityPlugin,
} from './plugins/load-plugins.js';

// Errors (codes and NACK mappings live in @naylence/core's ERROR_CODES).
export {
  InvalidKeyError,
  DecryptionError,
  EncryptionError,
  EncryptionKeyUnavailableError,
  ReplayError,
  type DecryptionFailure,
  type ReplayKind,
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
export { admissionTokenProviderFromEnv, ADMISSION_TOKEN_ENV } from './tokens/admission-env.js';
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

// Authorization profiles by name (the registry above builds them) and the portable authorizers.
export { noopAuthorizer } from './authorization/noop-authorizer.js';
export { subjectFingerprint } from './authorization/subject-fingerprint.js';
export { type AuthorizationProfileContext, type AuthorizationProfileName, type AuthorizerFactory } from './authorization/profile-names.js';
