/**
 * The plug points of `@naylence/security` (protocol-security §7): what a node's security stage
 * composes, each a small interface that this package's classes implement and an add-on may
 * implement differently. Names follow the reference's; where a class of ours already has the
 * reference's name (`EnvelopeSigner`, `EnvelopeVerifier`) the interface is `…Like`.
 *
 * | plug point             | ours                                                                    |
 * | ---------------------- | ----------------------------------------------------------------------- |
 * | `EnvelopeSignerLike`   | `EnvelopeSigner` (from `NodeKeys.envelopeSigner(path)`)                 |
 * | `EnvelopeVerifierLike` | `EnvelopeVerifier` (with an optional `KeyValidator` for `x5c` keys)      |
 * | `EncryptionManager`    | `SealedEncryptionManager`, `ChannelEncryptionManager`, `CompositeEncryptionManager` |
 * | `SecureChannelManager` | `DefaultSecureChannelManager`                                           |
 * | `KeyManager`           | `KeyStore`                                                              |
 * | `KeyValidator`         | `jwkKeyValidator` (the §2 rules); add-ons add certificate checks        |
 * | `CertificateManager`   | none built in (the node signs with raw keys); see the example add-on    |
 * | `Authorizer`           | built from authorization profiles (`noop`, `jwt`, `oauth2`, `oauth2-gated`, `oauth2-callback`, `policy-localfile`); the contract lives in `@naylence/core` |
 * | `SecurityProfiles`     | `ProfileRegistry` (security profiles and the authorization profiles that build authorizers) |
 */
import type { FameEnvelope } from '@naylence/core';
import type { AuthorizerFactory } from '../authorization/profile-names.js';
import type { KeyRecord, SigningKeyLookup } from '../keys/key-record.js';
import { checkJwk } from '../keys/jwk-validation.js';

export type { Authorizer } from '@naylence/core';

/** Signs envelopes this node originates: returns a signed copy (§3.7). */
export interface EnvelopeSignerLike {
  readonly kid: string;
  readonly sid: string;
  sign<E extends FameEnvelope>(envelope: E): E;
}

/**
 * `hop`: trust the advertised `pd` of a Data frame (what every forwarding hop can check);
 * `final`: recompute `pd` from the payload and require it to match (local delivery of a
 * plaintext Data frame; after decryption, see W1).
 */
export type VerificationMode = 'hop' | 'final';

export interface VerifiedSignature {
  readonly kid: string;
  /** The signer's sid (= the envelope's `sid`). */
  readonly sid: string;
  /** The physical path the signing key is registered under. */
  readonly physicalPath: string;
}

/** Verifies `sec.sig` (§3.8); throws a typed error for every refusal. */
export interface EnvelopeVerifierLike {
  verify(envelope: FameEnvelope, mode?: VerificationMode): VerifiedSignature;
  /**
   * The same checks over an asynchronous Ed25519 (WebCrypto); a node uses it where its crypto
   * provider has `ed25519Async`, else `verify`.
   */
  verifyAsync?(envelope: FameEnvelope, mode?: VerificationMode): Promise<VerifiedSignature>;
}

export interface RejectedKey {
  readonly kid: string | undefined;
  readonly reason: string;
}

export interface AddKeysResult {
  /** The stored records. */
  readonly added: readonly KeyRecord[];
  /** Keys dropped individually, with the reason (the rest of the batch is kept). */
  readonly rejected: readonly RejectedKey[];
  /** Older keys of the same owner and use that the new ones replaced (stale rotation). */
  readonly replaced: readonly KeyRecord[];
  /** Kids of added keys that other owners also hold (kept apart, logged). */
  readonly collisions: readonly string[];
}

/** The node's store of received keys (§4.2), namespaced by owner path. */
export interface KeyManager extends SigningKeyLookup {
  addKeys(keys: readonly unknown[], physicalPath: string): AddKeysResult;
  getKey(kid: string, physicalPath?: string): KeyRecord | undefined;
  hasKey(kid: string): boolean;
  keysForPath(physicalPath: string): readonly KeyRecord[];
  removeKeysForPath(physicalPath: string): number;
}

export type KeyValidation = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Vets keys before they are stored (received at attach or in KeyAnnounce: the reference's
 * `AttachmentKeyValidator`) and, for keys that carry a certificate (`x5c`), whether they may
 * sign a given envelope.
 */
export interface KeyValidator {
  /** Whether a received JWK may be stored. */
  validateKey(jwk: Readonly<Record<string, unknown>>): KeyValidation;
  /**
   * Whether the stored key may verify this envelope's signature. Called by `EnvelopeVerifier`
   * for every `x5c` key (without this method such keys are refused).
   * @throws SignatureInvalidError (`certificate_invalid`) to refuse
   */
  checkSigningKey?(record: KeyRecord, envelope: FameEnvelope): void;
}

/**
 * Supplies the node's certificate chain (§6): with `x509-chain` signing material the node's
 * signing JWK carries it as `x5c` (base64 DER, leaf first). The reference obtains it from a CA
 * service at welcome time; `ensureCertificate` is where that happens.
 */
export interface CertificateManager {
  /** The chain for the signing key, leaf first, standard base64 DER; undefined until there is one. */
  certificateChain(): readonly string[] | undefined;
  /** Obtains or renews the certificate for `publicKey` (Ed25519, raw) before the node attaches. */
  ensureCertificate?(request: { readonly publicKey: Uint8Array; readonly physicalPath?: string; readonly sid?: string }): Promise<void>;
}

/** A profile template: JSON with optional `${env:NAME:default}` strings. */
export type ProfileConfig = Readonly<Record<string, unknown>>;

export interface RegisterProfileOptions {
  /** Who registered it (shown in errors). */
  readonly source?: string;
  /** Replace an existing profile of that name instead of failing. */
  readonly allowOverride?: boolean;
}

/**
 * The profile registry a plug-in registers into: named profile templates by base type
 * (`SecurityManagerFactory`) and authorization profiles, the factories that build a node's
 * `Authorizer` (looked up by canonical name, so `oidc` finds `oauth2`). Both refuse a taken
 * name unless `allowOverride` is set.
 */
export interface SecurityProfiles {
  register(baseType: string, name: string, config: ProfileConfig, options?: RegisterProfileOptions): void;
  get(baseType: string, name: string): ProfileConfig | undefined;
  names(baseType: string): string[];
  registerAuthorizer(name: string, factory: AuthorizerFactory, options?: RegisterProfileOptions): void;
  authorizer(name: string | undefined): AuthorizerFactory | undefined;
  authorizerNames(): string[];
}

/** The §2 JWK rules as a `KeyValidator` (what `KeyStore` applies anyway). */
export const jwkKeyValidator: KeyValidator = Object.freeze({
  validateKey(jwk: Readonly<Record<string, unknown>>): KeyValidation {
    const check = checkJwk(jwk);
    return check.ok ? { ok: true } : check;
  },
});
