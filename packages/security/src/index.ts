/**
 * `@naylence/security`: envelope signing and verification, overlay encryption (sealed
 * envelopes and secure channels), node keys, the key store and key exchange frames, the
 * security policy and profiles, the plug points of security add-ons, the crypto provider they
 * run on, token providers and authorizers, for the FAME agent fabric (wire-compatible with
 * `@naylence/runtime` 0.4.12, protocol-security §1–§8).
 *
 * Everything here is a library component: pure functions and small classes that a node's
 * security stage composes. Crypto runs on `node:crypto` on Node and on `@noble/*` in browsers
 * (the package's `browser` export condition), behind one {@link CryptoProvider} interface.
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

// Token providers and authorizers.
export { sharedSecretAuthorizer, DEFAULT_SHARED_SECRET_PRINCIPAL, type SharedSecretAuthorizerOptions } from './shared-secret-authorizer.js';
export { staticTokenProvider } from './static-token-provider.js';
