/**
 * Channel data encryption (protocol-security §5.4): ChaCha20-Poly1305 under the channel key
 * with the channel id as associated data. A string payload is encrypted as its UTF-8, anything
 * else as compact JSON; the receiver parses JSON when it can and keeps the string otherwise
 * (so a string that looks like JSON, or a `codec: "b64"` payload, arrives as `codec: "json"`:
 * the reference's behaviour, kept for compatibility). On the wire: standard base64 ciphertext,
 * `sec.enc = {alg: "chacha20-poly1305-channel", kid: <cid>, val: <nonce as 24 lowercase hex>}`;
 * a base64 nonce is accepted too (as TS receivers do).
 */
import type { FameEnvelope } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { base64Decode, base64Encode, hexDecode, hexEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { DecryptionError } from '../errors.js';
import { encryptableFrame, encryptedParts, withCiphertext, withPlaintext } from './encrypted-envelope.js';

/** `sec.enc.alg` of channel-encrypted envelopes. */
export const CHANNEL_ALG = 'chacha20-poly1305-channel';
/** The `alg` of SecureOpen / SecureAccept. */
export const CHANNEL_HANDSHAKE_ALG = 'CHACHA20P1305';
/** HKDF info of the channel key is this prefix followed by the channel id. */
export const CHANNEL_HKDF_INFO_PREFIX = 'fame-channel:';

/**
 * A channel-encrypted copy of a Data envelope with `key` (the channel's 32-byte key).
 * `nonce` is for tests; leave it out to draw 12 random bytes.
 * @throws EncryptionError when there is nothing to encrypt
 */
export function encryptForChannel<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  cid: string,
  key: Uint8Array,
  nonce: Uint8Array = provider.randomBytes(12),
): E {
  return sealForChannel(provider, envelope, { cid, key, aad: utf8Encode(cid) }, nonce, hexEncode(nonce));
}

/** What encrypting or decrypting on one channel needs; a channel manager keeps it per channel. */
export interface ChannelCipherState {
  readonly cid: string;
  readonly key: Uint8Array;
  /** The associated data: the UTF-8 of `cid`. */
  readonly aad: Uint8Array;
}

/** {@link encryptForChannel} with the nonce's hex (`sec.enc.val`) already made (the manager's replay window holds it too). */
export function sealForChannel<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  channel: ChannelCipherState,
  nonce: Uint8Array,
  nonceHex: string,
): E {
  const frame = encryptableFrame(envelope);
  const plaintext = utf8Encode(typeof frame.payload === 'string' ? frame.payload : JSON.stringify(frame.payload));
  const ciphertext = provider.chacha20poly1305.seal(channel.key, nonce, plaintext, channel.aad);
  return withCiphertext(envelope, frame, base64Encode(ciphertext), { alg: CHANNEL_ALG, kid: channel.cid, val: nonceHex });
}

const LOWER_HEX_NONCE = /^[0-9a-f]{24}$/;

/** The 12-byte nonce of `sec.enc.val`: hex (what everyone writes) or base64. */
export function channelNonce(value: string): Uint8Array | undefined {
  const text = value.trim();
  const bytes = (text.length === 24 ? hexDecode(text) : undefined) ?? base64Decode(text);
  return bytes?.length === 12 ? bytes : undefined;
}

/** The channel id (`sec.enc.kid`) of a channel-encrypted envelope. @throws DecryptionError (`malformed`) */
export function channelIdOf(envelope: FameEnvelope): string {
  const cid = envelope.sec?.enc?.kid;
  if (typeof cid !== 'string' || cid === '') throw new DecryptionError('channel-encrypted envelope without sec.enc.kid', 'malformed');
  return cid;
}

/**
 * The decrypted copy of a channel-encrypted envelope and the nonce it used (for the replay
 * window). A signed envelope's `pd` must match the decrypted payload (§8 W1).
 * @throws DecryptionError (`malformed`, `authentication`), SignatureInvalidError (`payload_digest_mismatch`)
 */
export function decryptFromChannel<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  key: Uint8Array,
): { readonly envelope: E; readonly nonce: Uint8Array } {
  const cid = channelIdOf(envelope);
  const { envelope: decrypted, nonce } = openForChannel(provider, envelope, { cid, key, aad: utf8Encode(cid) });
  return { envelope: decrypted, nonce };
}

/**
 * {@link decryptFromChannel} on a known channel (`envelope`'s `sec.enc.kid` is `channel.cid`),
 * also giving the nonce as lowercase hex: the replay window's key, taken from the wire when it
 * is written that way (it always is), so nothing new is allocated for it.
 */
export function openForChannel<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  channel: ChannelCipherState,
): { readonly envelope: E; readonly nonce: Uint8Array; readonly nonceHex: string } {
  const { frame, enc } = encryptedParts(envelope);
  const wireHex = LOWER_HEX_NONCE.test(enc.val);
  const nonce = wireHex ? hexDecode(enc.val) : channelNonce(enc.val);
  const ciphertext = base64Decode(frame.payload);
  if (!nonce || !ciphertext) throw new DecryptionError('channel envelope: the nonce must be 12 bytes and the payload base64', 'malformed');
  const bytes = provider.chacha20poly1305.open(channel.key, nonce, ciphertext, channel.aad);
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch (error) {
    throw new DecryptionError('channel plaintext is not UTF-8', 'bad_plaintext', { cause: error });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = text;
  }
  const nonceHex = wireHex ? enc.val : hexEncode(nonce);
  return { envelope: withPlaintext(provider, envelope, frame, payload, 'json'), nonce, nonceHex };
}
