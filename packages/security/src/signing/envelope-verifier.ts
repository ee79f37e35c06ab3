/**
 * Verifies `sec.sig` of an envelope (protocol-security §3.8) against the key store, with the
 * first TBS component taken from the stored key record's `sid` (§8 C2), and — unlike the
 * reference — only when the envelope's `sid` is that of the key's owner (§8 W3). A key with a
 * certificate chain (`x5c`, §6) is used only when the configured `KeyValidator` accepts it for
 * the envelope.
 */
import type { FameEnvelope } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { base64Decode } from '../crypto/encoding.js';
import { SidMismatchError, SignatureInvalidError, SignatureRequiredError, UnknownKeyError } from '../errors.js';
import type { KeyRecord, SigningKeyLookup } from '../keys/key-record.js';
import type { EnvelopeVerifierLike, KeyValidator, VerificationMode, VerifiedSignature } from '../plugins/plug-points.js';

export type { VerificationMode, VerifiedSignature } from '../plugins/plug-points.js';
import { bytesToSign, frameDigest, payloadDigest } from './digests.js';

/** The imported key of one record: synchronous, and asynchronous where the provider has it. */
interface RecordVerifier {
  readonly sync: (message: Uint8Array, signature: Uint8Array) => boolean;
  readonly async: ((message: Uint8Array, signature: Uint8Array) => Promise<boolean>) | undefined;
}

export interface EnvelopeVerifierOptions {
  readonly provider: CryptoProvider;
  readonly keys: SigningKeyLookup;
  /**
   * Decides whether a key carrying a certificate chain (`x5c`, §6) may verify an envelope
   * (chain, trust anchors, certificate sid). Without one, such keys are refused.
   */
  readonly keyValidator?: KeyValidator;
}

export class EnvelopeVerifier implements EnvelopeVerifierLike {
  readonly #provider: CryptoProvider;
  readonly #keys: SigningKeyLookup;
  readonly #keyValidator: KeyValidator | undefined;
  // Key records are immutable; the imported key of each is kept as long as the record lives.
  readonly #verifiers = new WeakMap<KeyRecord, RecordVerifier>();

  constructor(options: EnvelopeVerifierOptions) {
    this.#provider = options.provider;
    this.#keys = options.keys;
    this.#keyValidator = options.keyValidator;
  }

  /**
   * @throws SignatureRequiredError (no `sec.sig`), UnknownKeyError (no stored key has the kid:
   *   queue the envelope and request the key, §4.4), SidMismatchError (W3),
   *   SignatureInvalidError (anything else, with `failure` naming the check)
   */
  verify(envelope: FameEnvelope, mode: VerificationMode = 'hop'): VerifiedSignature {
    const check = this.#check(envelope, mode);
    return this.#result(check, this.#verifierFor(check.record).sync(check.tbs, check.signature));
  }

  /**
   * {@link verify} with the provider's asynchronous Ed25519 where it has one (WebCrypto in
   * browsers); the same checks and errors (as rejections).
   */
  async verifyAsync(envelope: FameEnvelope, mode: VerificationMode = 'hop'): Promise<VerifiedSignature> {
    const check = this.#check(envelope, mode);
    const verify = this.#verifierFor(check.record);
    return this.#result(check, verify.async ? await verify.async(check.tbs, check.signature) : verify.sync(check.tbs, check.signature));
  }

  /** Every check but the signature itself, and what the signature is checked over. */
  #check(envelope: FameEnvelope, mode: VerificationMode): { record: KeyRecord; kid: string; tbs: Uint8Array; signature: Uint8Array } {
    const sig = envelope.sec?.sig;
    if (!sig) throw new SignatureRequiredError(envelope.frame.type);
    const kid = sig.kid;
    if (typeof kid !== 'string' || kid === '' || typeof sig.val !== 'string' || sig.val === '') {
      throw new SignatureInvalidError('malformed', 'sec.sig needs a non-empty kid and val', typeof kid === 'string' ? kid : undefined);
    }
    const candidates = this.#keys.keysWithKid(kid);
    if (candidates.length === 0) throw new UnknownKeyError(kid);
    const record = candidates.find((key) => key.sid === envelope.sid);
    if (!record) throw new SidMismatchError(kid, envelope.sid, [...new Set(candidates.map((key) => key.sid))]);
    if (record.x5c !== undefined) {
      if (!this.#keyValidator?.checkSigningKey) {
        throw new SignatureInvalidError(
          'key_not_usable',
          `key ${JSON.stringify(kid)} carries a certificate and no validator checks it`,
          kid,
        );
      }
      this.#keyValidator.checkSigningKey(record, envelope);
    }

    let digest: string | undefined;
    const frame = envelope.frame;
    if (frame.type === 'Data') {
      if (typeof frame.pd !== 'string' || frame.pd === '')
        throw new SignatureInvalidError('missing_pd', 'signed Data frame without pd', kid);
      digest = frame.pd;
      if (mode === 'final' && payloadDigest(this.#provider, frame.payload) !== digest) {
        throw new SignatureInvalidError('payload_digest_mismatch', 'payload digest mismatch: the payload is not what was signed', kid);
      }
    } else {
      digest = frameDigest(this.#provider, frame)!;
    }

    const signature = base64Decode(sig.val);
    if (!signature || signature.length !== 64)
      throw new SignatureInvalidError('malformed', 'sec.sig.val is not a 64-byte base64url signature', kid);
    return { record, kid, tbs: bytesToSign(record.sid, envelope, digest), signature };
  }

  #result({ record, kid }: { record: KeyRecord; kid: string }, valid: boolean): VerifiedSignature {
    if (!valid) throw new SignatureInvalidError('bad_signature', `signature by key ${JSON.stringify(kid)} does not verify`, kid);
    return { kid, sid: record.sid, physicalPath: record.physical_path };
  }

  #verifierFor(record: KeyRecord): RecordVerifier {
    let verify = this.#verifiers.get(record);
    if (!verify) {
      const x = typeof record.x === 'string' ? base64Decode(record.x) : undefined;
      if (record.kty !== 'OKP' || record.crv !== 'Ed25519' || record.use !== 'sig' || !x || x.length !== 32) {
        throw new SignatureInvalidError('key_not_usable', `key ${JSON.stringify(record.kid)} is not a raw Ed25519 signing key`, record.kid);
      }
      try {
        // The synchronous verifier also checks that the key is a valid point.
        verify = { sync: this.#provider.ed25519.verifier(x), async: this.#provider.ed25519Async?.verifier(x) };
      } catch {
        throw new SignatureInvalidError(
          'key_not_usable',
          `key ${JSON.stringify(record.kid)} is not a valid Ed25519 public key`,
          record.kid,
        );
      }
      this.#verifiers.set(record, verify);
    }
    return verify;
  }
}

/**
 * The final-delivery payload check on its own (§3.8): the payload of a signed Data frame
 * hashes to its `pd`. Run it at local delivery of a frame that arrived in plaintext, and after
 * decrypting one (fixing W1). A no-op for unsigned envelopes and other frames.
 * @throws SignatureInvalidError (`missing_pd`, `payload_digest_mismatch`)
 */
export function checkPayloadDigest(provider: CryptoProvider, envelope: FameEnvelope): void {
  const frame = envelope.frame;
  if (!envelope.sec?.sig || frame.type !== 'Data') return;
  const kid = envelope.sec.sig.kid;
  if (typeof frame.pd !== 'string' || frame.pd === '') throw new SignatureInvalidError('missing_pd', 'signed Data frame without pd', kid);
  if (payloadDigest(provider, frame.payload) !== frame.pd) {
    throw new SignatureInvalidError('payload_digest_mismatch', 'payload digest mismatch on final delivery', kid);
  }
}
