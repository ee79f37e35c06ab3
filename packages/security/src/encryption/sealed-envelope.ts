/**
 * Sealed envelopes (protocol-security §5.2): per-message ECIES to the recipient's X25519 key.
 * An ephemeral key pair, HKDF-SHA256 (zero salt, info `naylence-sealed-envelope`) of the
 * X25519 shared secret, then an AEAD over `{"original_codec":…,"payload":…}`. On the wire the
 * ciphertext (with its tag) is the payload and `sec.enc.val` is `ePub ‖ nonce`, both base64url.
 *
 * Compatibility (§8 C3, C5): the label `ECDH-ES+A256GCM` means ChaCha20-Poly1305 and is what we
 * write; we write base64url without padding (as TS does) and read it with or without (Python
 * pads); we write the wrapper compactly and parse Python's spaced form; `recip-kid-stub` is
 * written when the key has no kid and means "no kid" when read. `aes-256-gcm` selects the same
 * layout with AES-256-GCM: no reference peer writes it (theirs decrypt every sealed label with
 * ChaCha20), so use it only between our nodes.
 */
import type { DataFrame, FameEnvelope } from '@naylence/core';
import type { Aead, CryptoProvider, RawKeyPair } from '../crypto/provider.js';
import { base64Decode, base64UrlEncode, concatBytes, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { DecryptionError, InvalidKeyError } from '../errors.js';
import { encryptableFrame, encryptedParts, withCiphertext, withPlaintext } from './encrypted-envelope.js';

/** The label every reference peer writes (and the default here). ChaCha20-Poly1305 underneath. */
export const SEALED_ALG = 'ECDH-ES+A256GCM';
/** The same layout with AES-256-GCM. Not understood by reference peers. */
export const SEALED_AES_ALG = 'aes-256-gcm';
/** An alias the reference lists for the ChaCha20-Poly1305 layout. */
export const SEALED_CHACHA_ALG = 'chacha20-poly1305';
export const SEALED_ALGORITHMS: readonly string[] = [SEALED_ALG, SEALED_CHACHA_ALG, SEALED_AES_ALG];
/** The kid written when the recipient key has none; read as "no kid". */
export const NO_RECIPIENT_KID = 'recip-kid-stub';
export const SEALED_HKDF_INFO = 'naylence-sealed-envelope';
/** `ePub(32) ‖ nonce(12)`. */
export const SEALED_PREFIX_LENGTH = 44;

const INFO = utf8Encode(SEALED_HKDF_INFO);

/** Whoever holds the recipient's X25519 private key (`NodeKeys` does, without handing it out). */
export interface SealedRecipient {
  /** The X25519 shared secret with `publicKey`, in a fresh array (opening zeroes it once the key is derived). */
  sharedSecret(publicKey: Uint8Array): Uint8Array;
}

export interface SealOptions {
  /** The recipient's 32-byte X25519 public key. */
  readonly recipientPublicKey: Uint8Array;
  /** Its kid (written to `sec.enc.kid`); default `recip-kid-stub`. */
  readonly recipientKid?: string;
  /** `ECDH-ES+A256GCM` (default, ChaCha20-Poly1305), `chacha20-poly1305` or `aes-256-gcm`. */
  readonly alg?: string;
  /**
   * The ephemeral X25519 pair, made ahead of time for this seal alone (taken from an
   * `EphemeralKeyPairs` pool); its private key is zeroed once used. Default: a fresh one.
   */
  readonly ephemeralKeyPair?: RawKeyPair;
}

function aeadFor(provider: CryptoProvider, alg: string | undefined): Aead | undefined {
  if (alg === undefined || alg === SEALED_ALG || alg === SEALED_CHACHA_ALG) return provider.chacha20poly1305;
  return alg === SEALED_AES_ALG ? provider.aes256gcm : undefined;
}

function sealedKey(provider: CryptoProvider, shared: Uint8Array): Uint8Array {
  return provider.hkdfSha256(shared, undefined, INFO, 32);
}

/**
 * What a seal takes from its ephemeral pair once it is agreed with the recipient: the public
 * key written to the wire and the AEAD key (HKDF of the X25519 shared secret). Made for one
 * seal to one recipient; zeroed by the seal that uses it.
 */
export interface SealingKey {
  readonly recipientPublicKey: Uint8Array;
  readonly ephemeralPublicKey: Uint8Array;
  readonly key: Uint8Array;
}

/**
 * Agrees `ephemeral` with the recipient and derives the AEAD key; the ephemeral private key is
 * zeroed whatever happens (it is used once).
 * @throws InvalidKeyError (bad recipient key)
 */
export function deriveSealingKey(provider: CryptoProvider, ephemeral: RawKeyPair, recipientPublicKey: Uint8Array): SealingKey {
  let shared: Uint8Array;
  try {
    shared = provider.x25519.sharedSecret(ephemeral.privateKey, recipientPublicKey);
  } finally {
    ephemeral.privateKey.fill(0);
  }
  const key = sealedKey(provider, shared);
  shared.fill(0);
  return { recipientPublicKey, ephemeralPublicKey: ephemeral.publicKey, key };
}

/**
 * A sealed copy of a Data envelope (sign it first: `pd` and `sec.sig` are kept).
 * @throws EncryptionError (not a Data frame with a payload), InvalidKeyError (unknown alg, bad recipient key)
 */
export function sealEnvelope<E extends FameEnvelope>(provider: CryptoProvider, envelope: E, options: SealOptions): E {
  const alg = options.alg ?? SEALED_ALG;
  const frame = encryptableFrame(envelope);
  const aead = sealedAead(provider, alg);
  const ephemeral = options.ephemeralKeyPair ?? provider.x25519.generateKeyPair();
  const sealingKey = deriveSealingKey(provider, ephemeral, options.recipientPublicKey);
  return seal(provider, envelope, frame, aead, sealingKey, alg, options.recipientKid ?? NO_RECIPIENT_KID);
}

/**
 * {@link sealEnvelope} with a key agreed ahead of time for this recipient (zeroed here, used or not).
 * @throws EncryptionError (not a Data frame with a payload), InvalidKeyError (unknown alg)
 */
export function sealEnvelopeWith<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  sealingKey: SealingKey,
  alg = SEALED_ALG,
  recipientKid = NO_RECIPIENT_KID,
): E {
  let frame: DataFrame;
  let aead: Aead;
  try {
    frame = encryptableFrame(envelope);
    aead = sealedAead(provider, alg);
  } catch (error) {
    sealingKey.key.fill(0);
    throw error;
  }
  return seal(provider, envelope, frame, aead, sealingKey, alg, recipientKid);
}

function sealedAead(provider: CryptoProvider, alg: string): Aead {
  const aead = aeadFor(provider, alg);
  if (!aead) throw new InvalidKeyError(`unsupported sealed algorithm ${JSON.stringify(alg)}`);
  return aead;
}

function seal<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  frame: DataFrame,
  aead: Aead,
  sealingKey: SealingKey,
  alg: string,
  recipientKid: string,
): E {
  const wrapper = utf8Encode(JSON.stringify({ original_codec: frame.codec ?? null, payload: frame.payload }));
  const nonce = provider.randomBytes(12);
  let ciphertext: Uint8Array;
  try {
    ciphertext = aead.seal(sealingKey.key, nonce, wrapper);
  } finally {
    sealingKey.key.fill(0);
  }
  return withCiphertext(envelope, frame, base64UrlEncode(ciphertext), {
    alg,
    kid: recipientKid,
    val: base64UrlEncode(concatBytes(sealingKey.ephemeralPublicKey, nonce)),
  });
}

/** The recipient kid a sealed envelope names, or undefined for none (`recip-kid-stub`). */
export function sealedRecipientKid(envelope: FameEnvelope): string | undefined {
  const kid = envelope.sec?.enc?.kid;
  return kid === undefined || kid === '' || kid === NO_RECIPIENT_KID ? undefined : kid;
}

function parseWrapper(bytes: Uint8Array): { payload: unknown; codec: DataFrame['codec'] } {
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(utf8Decode(bytes));
  } catch (error) {
    throw new DecryptionError('sealed plaintext is not UTF-8 JSON', 'bad_plaintext', { cause: error });
  }
  if (typeof wrapper !== 'object' || wrapper === null || Array.isArray(wrapper) || !('payload' in wrapper)) {
    throw new DecryptionError('sealed plaintext is not {"original_codec":…,"payload":…}', 'bad_plaintext');
  }
  const { payload, original_codec: codec } = wrapper as { payload: unknown; original_codec?: unknown };
  if (codec !== undefined && codec !== null && codec !== 'json' && codec !== 'b64') {
    throw new DecryptionError(`sealed plaintext names an unknown codec ${JSON.stringify(codec)}`, 'bad_plaintext');
  }
  return { payload, codec: codec ?? undefined };
}

/**
 * The opened copy of a sealed envelope, with `recipient` the recipient's X25519 private key (or
 * whoever holds it, such as `NodeKeys`). The
 * payload and codec come from the wrapper, `sec.enc` is removed, and a signed envelope's `pd`
 * must match the decrypted payload (§8 W1).
 * @throws DecryptionError (`malformed`, `unsupported_algorithm`, `authentication`, `bad_plaintext`),
 *   SignatureInvalidError (`payload_digest_mismatch`: content swapped under a valid signature)
 */
export function openSealedEnvelope<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  recipient: Uint8Array | SealedRecipient,
): E {
  const { frame, enc } = encryptedParts(envelope);
  const aead = aeadFor(provider, enc.alg);
  if (!aead) throw new DecryptionError(`unsupported sealed algorithm ${JSON.stringify(enc.alg)}`, 'unsupported_algorithm');
  const prefix = base64Decode(enc.val);
  const ciphertext = base64Decode(frame.payload);
  if (!prefix || prefix.length !== SEALED_PREFIX_LENGTH || !ciphertext || ciphertext.length < aead.tagLength) {
    throw new DecryptionError('sealed envelope: sec.enc.val must be 44 bytes and the payload at least a tag, in base64', 'malformed');
  }
  if (recipient instanceof Uint8Array && recipient.length !== 32) throw new InvalidKeyError('X25519 private key must be 32 bytes');
  const ephemeralPublicKey = prefix.subarray(0, 32);
  let key: Uint8Array;
  try {
    const shared =
      recipient instanceof Uint8Array
        ? provider.x25519.sharedSecret(recipient, ephemeralPublicKey)
        : recipient.sharedSecret(ephemeralPublicKey);
    key = sealedKey(provider, shared);
    shared.fill(0);
  } catch (error) {
    if (error instanceof InvalidKeyError)
      throw new DecryptionError('sealed envelope: unusable ephemeral key', 'malformed', { cause: error });
    throw error;
  }
  let plaintext: Uint8Array;
  try {
    plaintext = aead.open(key, prefix.subarray(32), ciphertext);
  } finally {
    key.fill(0);
  }
  const { payload, codec } = parseWrapper(plaintext);
  return withPlaintext(provider, envelope, frame, payload, codec);
}
