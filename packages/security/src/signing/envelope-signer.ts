/**
 * Signs envelopes this node originates (protocol-security §3.7): Ed25519 over the bytes to be
 * signed, written to `sec.sig` as `{kid, val, alg: "EdDSA"}`. Signing never changes the input:
 * it returns a new envelope (with `sid` filled in, a Data frame's `pd` set, and `sec.sig`).
 */
import type { FameEnvelope, FameFrame } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { base64UrlEncode } from '../crypto/encoding.js';
import { SidMismatchError } from '../errors.js';
import { withEnvelopeChanges } from '../envelope-copy.js';
import type { EnvelopeSignerLike } from '../plugins/plug-points.js';
import { bytesToSign, frameDigest, payloadDigest, secureDigestSync } from './digests.js';

export interface EnvelopeSignerOptions {
  readonly provider: CryptoProvider;
  /** The signing key id written to `sec.sig.kid`. */
  readonly kid: string;
  /** The 32-byte Ed25519 seed. */
  readonly privateKey: Uint8Array;
  /** This node's physical path; the signer's sid is its secureDigest. */
  readonly physicalPath: string;
}

export class EnvelopeSigner implements EnvelopeSignerLike {
  readonly kid: string;
  /** secureDigest of the physical path: the `sid` this signer stamps and signs with. */
  readonly sid: string;
  readonly physicalPath: string;
  readonly #provider: CryptoProvider;
  readonly #privateKey: Uint8Array;
  readonly #sign: (message: Uint8Array) => Uint8Array;
  #signAsync: ((message: Uint8Array) => Promise<Uint8Array>) | undefined;

  constructor(options: EnvelopeSignerOptions) {
    this.#provider = options.provider;
    this.kid = options.kid;
    this.physicalPath = options.physicalPath;
    this.sid = secureDigestSync(options.provider, options.physicalPath);
    this.#privateKey = options.privateKey;
    this.#sign = options.provider.ed25519.signer(options.privateKey);
  }

  /**
   * A signed copy of `envelope`. A missing `sid` becomes this node's; a Data frame gets `pd`
   * (recomputed from the payload unless the payload is already encrypted, when the `pd` of
   * its plaintext is kept). An existing signature is replaced.
   * @throws SidMismatchError when the envelope's `sid` names another node (§8 W3)
   */
  sign<E extends FameEnvelope>(envelope: E): E {
    const prepared = this.#prepare(envelope);
    return this.#signed(envelope, prepared, this.#sign(prepared.tbs));
  }

  /**
   * {@link sign} with the provider's asynchronous Ed25519 where it has one (WebCrypto in
   * browsers, several times faster than pure JavaScript there); the same signature either way.
   * @throws SidMismatchError as `sign`
   */
  async signAsync<E extends FameEnvelope>(envelope: E): Promise<E> {
    const prepared = this.#prepare(envelope);
    this.#signAsync ??= this.#provider.ed25519Async?.signer(this.#privateKey) ?? ((tbs) => Promise.resolve(this.#sign(tbs)));
    return this.#signed(envelope, prepared, await this.#signAsync(prepared.tbs));
  }

  /**
   * {@link signAsync} where the provider has an asynchronous Ed25519 (WebCrypto in browsers),
   * else {@link sign}: what a node's outbound stage calls, so a node on the browser provider
   * signs with WebCrypto and one on `node:crypto` or noble alone stays synchronous.
   * @throws SidMismatchError as `sign` (a rejection on the asynchronous path)
   */
  signPreferAsync<E extends FameEnvelope>(envelope: E): E | Promise<E> {
    return this.#provider.ed25519Async === undefined ? this.sign(envelope) : this.signAsync(envelope);
  }

  /** What gets signed: the stamped envelope, its frame (with `pd`) and the bytes to sign. */
  #prepare(envelope: FameEnvelope): { stamped: FameEnvelope; frame: FameFrame; tbs: Uint8Array } {
    if (envelope.sid !== undefined && envelope.sid !== this.sid) throw new SidMismatchError(this.kid, envelope.sid, [this.sid]);
    let frame: FameFrame = envelope.frame;
    let digest: string;
    if (frame.type === 'Data') {
      const data = frame;
      digest = envelope.sec?.enc && data.pd !== undefined ? data.pd : payloadDigest(this.#provider, data.payload);
      if (data.pd !== digest) frame = { ...data, pd: digest };
    } else {
      digest = frameDigest(this.#provider, frame)!;
    }
    const stamped = envelope.sid === undefined ? withEnvelopeChanges(envelope, { sid: this.sid }) : envelope;
    return { stamped, frame, tbs: bytesToSign(this.sid, stamped, digest) };
  }

  #signed<E extends FameEnvelope>(envelope: E, { stamped, frame }: { stamped: FameEnvelope; frame: FameFrame }, signature: Uint8Array): E {
    return withEnvelopeChanges<E>(stamped, {
      frame,
      sec: { ...envelope.sec, sig: { kid: this.kid, val: base64UrlEncode(signature), alg: 'EdDSA' } },
    });
  }
}
