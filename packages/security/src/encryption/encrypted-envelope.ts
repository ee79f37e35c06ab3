/**
 * What sealed and channel encryption share (protocol-security §5.1): which envelopes carry an
 * encryptable payload, building the encrypted and the decrypted copy (never mutating the
 * input), and the W1 check every decryption ends with.
 */
import type { DataFrame, EncryptionHeader, FameEnvelope, SecurityHeader } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { withEnvelopeChanges } from '../envelope-copy.js';
import { DecryptionError, EncryptionError } from '../errors.js';
import { checkPayloadDigest } from '../signing/envelope-verifier.js';

/** Only Data frames with a payload (not null) are encrypted (§5.1). */
export function hasEncryptablePayload(envelope: FameEnvelope): envelope is FameEnvelope<DataFrame> {
  const frame = envelope.frame;
  return frame.type === 'Data' && frame.payload !== null && frame.payload !== undefined;
}

/** @throws EncryptionError when the envelope has nothing to encrypt */
export function encryptableFrame(envelope: FameEnvelope): DataFrame {
  if (!hasEncryptablePayload(envelope)) throw new EncryptionError('only Data frames with a payload are encrypted');
  return envelope.frame;
}

/** A copy with the ciphertext as payload (`codec: "b64"`) and `sec.enc` added; `pd` and `sec.sig` kept. */
export function withCiphertext<E extends FameEnvelope>(envelope: E, frame: DataFrame, ciphertext: string, enc: EncryptionHeader): E {
  // Object.assign, not spreads: these copies go on to the link's encoder (see withEnvelopeChanges).
  return withEnvelopeChanges<E>(envelope, {
    frame: Object.assign({}, frame, { codec: 'b64', payload: ciphertext }),
    sec: Object.assign({}, envelope.sec, { enc }),
  });
}

/** The encrypted Data frame and its `sec.enc`. @throws DecryptionError (`malformed`) */
export function encryptedParts(envelope: FameEnvelope): { frame: DataFrame & { payload: string }; enc: EncryptionHeader } {
  const frame = envelope.frame;
  const enc = envelope.sec?.enc;
  if (!enc) throw new DecryptionError('envelope has no sec.enc', 'malformed');
  if (frame.type !== 'Data' || typeof frame.payload !== 'string' || typeof enc.val !== 'string') {
    throw new DecryptionError('an encrypted envelope needs a Data frame with a string payload and sec.enc.val', 'malformed');
  }
  return { frame: frame as DataFrame & { payload: string }, enc };
}

/**
 * The decrypted copy: `payload` and `codec` replaced (`codec` removed when undefined),
 * `sec.enc` removed and `sec` too when no signature remains. Then §8 W1: a signed envelope's
 * payload must hash to the `pd` the sender signed, so nobody on the path can swap in their own
 * ciphertext under someone else's signature (honest peers always pass).
 * @throws SignatureInvalidError (`payload_digest_mismatch`, `missing_pd`)
 */
export function withPlaintext<E extends FameEnvelope>(
  provider: CryptoProvider,
  envelope: E,
  frame: DataFrame,
  payload: unknown,
  codec: DataFrame['codec'],
): E {
  const sig = envelope.sec?.sig;
  const sec: SecurityHeader | undefined = sig ? { sig } : undefined;
  const decrypted = withEnvelopeChanges<E>(envelope, { frame: plaintextFrame(frame, payload, codec), sec });
  checkPayloadDigest(provider, decrypted);
  return decrypted;
}

function plaintextFrame(frame: DataFrame, payload: unknown, codec: DataFrame['codec']): DataFrame {
  if (codec !== undefined) return Object.assign({}, frame, { codec, payload });
  const { codec: _old, ...rest } = frame;
  return { ...rest, payload };
}
