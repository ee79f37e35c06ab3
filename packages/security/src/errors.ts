/**
 * Errors of `@naylence/security`. Each is a `FameError` whose `code` maps (in
 * `@naylence/core`'s `ERROR_CODES`) to the NACK code a node answers with, where there is one:
 * `SIGNATURE_REQUIRED` → `signature_required`, `SIGNATURE_INVALID` →
 * `signature_verification_failed`, `CRYPTO_LEVEL_VIOLATION` → `crypto_level_violation`.
 */
import { FameError, type FameErrorOptions } from '@naylence/core';

/** A key (JWK, PEM, raw bytes) that is malformed or not usable for what it was offered for. */
export class InvalidKeyError extends FameError {
  override name = 'InvalidKeyError';
  /** The key's `kid`, when it has one. */
  readonly kid: string | undefined;
  constructor(message: string, kid?: string, options?: FameErrorOptions) {
    super('INVALID_KEY', message, options);
    this.kid = kid;
  }
}

/** Why an encrypted envelope could not be decrypted. */
export type DecryptionFailure =
  /** The AEAD tag did not verify: wrong key, nonce or associated data, or tampered ciphertext. */
  | 'authentication'
  /** `sec.enc`, the payload or the nonce is not what the format requires. */
  | 'malformed'
  /** `sec.enc.alg` names an algorithm this node does not decrypt. */
  | 'unsupported_algorithm'
  /** Sealed: no private key for `sec.enc.kid`. */
  | 'no_key'
  /** Channel: no established channel with the id `sec.enc.kid` (unknown, closed or expired). */
  | 'unknown_channel'
  /** The decrypted bytes are not the JSON the format wraps the payload in. */
  | 'bad_plaintext';

/** An encrypted envelope could not be decrypted. `failure` says why. */
export class DecryptionError extends FameError {
  override name = 'DecryptionError';
  readonly failure: DecryptionFailure;
  constructor(
    message = 'decryption failed: authentication tag mismatch',
    failure: DecryptionFailure = 'authentication',
    options?: FameErrorOptions,
  ) {
    super('DECRYPTION_FAILED', message, options);
    this.failure = failure;
  }
}

/**
 * An envelope the policy says to encrypt cannot be encrypted (no destination, no usable key,
 * a level no manager handles). It is never sent in plaintext instead.
 */
export class EncryptionError extends FameError {
  override name = 'EncryptionError';
  constructor(message: string, options?: FameErrorOptions) {
    super('ENCRYPTION_FAILED', message, options);
  }
}

/** The recipient's X25519 key did not arrive after the KeyRequests gave up (sealed, §5.2). */
export class EncryptionKeyUnavailableError extends FameError {
  override name = 'EncryptionKeyUnavailableError';
  readonly address: string;
  constructor(address: string) {
    super('ENCRYPTION_KEY_UNAVAILABLE', `no encryption key for ${JSON.stringify(address)} arrived`);
    this.address = address;
  }
}

/** What was seen twice (§8 W6). */
export type ReplayKind = 'channel_nonce' | 'envelope_id';

/** A channel message (same nonce on the same channel) or an envelope id arrived again. */
export class ReplayError extends FameError {
  override name = 'ReplayError';
  readonly kind: ReplayKind;
  readonly envelopeId: string | undefined;
  constructor(kind: ReplayKind, envelopeId: string | undefined, detail: string) {
    super('REPLAY_DETECTED', `replayed ${kind === 'channel_nonce' ? 'channel message' : 'envelope id'}: ${detail}`);
    this.kind = kind;
    this.envelopeId = envelopeId;
  }
}

/** An envelope arrived unsigned where the policy (or the frame type) requires a signature. */
export class SignatureRequiredError extends FameError {
  override name = 'SignatureRequiredError';
  readonly frameType: string;
  constructor(frameType: string) {
    super('SIGNATURE_REQUIRED', `unsigned ${frameType} envelope where a signature is required`);
    this.frameType = frameType;
  }
}

/** Why a signature did not verify. */
export type SignatureFailure =
  /** `sec.sig` lacks `kid` or `val`, or `val` is not 64 bytes of base64url. */
  | 'malformed'
  /** A signed Data frame without `pd`. */
  | 'missing_pd'
  /** Final mode: the payload does not hash to the advertised `pd`. */
  | 'payload_digest_mismatch'
  /** The envelope's `sid` is not the sid of the node the key belongs to (§8 W3). */
  | 'sid_mismatch'
  /** The stored key cannot verify envelope signatures (not Ed25519 `use:"sig"`, or an `x5c` key). */
  | 'key_not_usable'
  /** The Ed25519 signature does not match the bytes to be signed. */
  | 'bad_signature'
  /** An `x5c` key whose certificate chain the key validator refused (§6). */
  | 'certificate_invalid'
  /** No key with the signature's kid arrived (key requests gave up, or none could be asked). */
  | 'unknown_key'
  /** The signer is outside the subtree of the link the envelope came from (a child speaking for another node). */
  | 'outside_subtree';

/** A signed envelope failed verification. `failure` says which check failed. */
export class SignatureInvalidError extends FameError {
  override name = 'SignatureInvalidError';
  readonly failure: SignatureFailure;
  readonly kid: string | undefined;
  constructor(failure: SignatureFailure, message: string, kid?: string) {
    super('SIGNATURE_INVALID', message, undefined);
    this.failure = failure;
    this.kid = kid;
  }
}

/**
 * The envelope names a `sid` that is not the signing key owner's (§8 W3): a node signing
 * envelopes that claim another node's identity. A `SignatureInvalidError` with failure
 * `sid_mismatch`.
 */
export class SidMismatchError extends SignatureInvalidError {
  override name = 'SidMismatchError';
  /** The envelope's `sid`. */
  readonly claimedSid: string | undefined;
  /** The sids of the stored keys with this kid. */
  readonly keySids: readonly string[];
  constructor(kid: string, claimedSid: string | undefined, keySids: readonly string[]) {
    super(
      'sid_mismatch',
      `envelope sid ${JSON.stringify(claimedSid ?? null)} is not the sid of the node owning key ${JSON.stringify(kid)}`,
      kid,
    );
    this.claimedSid = claimedSid;
    this.keySids = keySids;
  }
}

/** No stored key has this kid. The caller may queue the envelope and send a KeyRequest (§4.4). */
export class UnknownKeyError extends FameError {
  override name = 'UnknownKeyError';
  readonly kid: string;
  constructor(kid: string) {
    super('UNKNOWN_KEY', `unknown signing key ${JSON.stringify(kid)}`);
    this.kid = kid;
  }
}

/** An inbound envelope's crypto level (plaintext, channel, sealed) is not allowed by the policy. */
export class CryptoLevelViolationError extends FameError {
  override name = 'CryptoLevelViolationError';
  readonly level: string;
  constructor(level: string) {
    super('CRYPTO_LEVEL_VIOLATION', `inbound crypto level ${JSON.stringify(level)} is not allowed by the security policy`);
    this.level = level;
  }
}
