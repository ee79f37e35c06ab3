/**
 * The signed round trip of the demo, written once for both sides (the page runs it with the
 * browser entry of `@naylence/security`, Node with the Node entry): each side has its own node
 * keys, they exchange public keys over the fabric, each signs a Data envelope with its key and
 * the other verifies it against the exchanged keys (`final` mode: the payload digest too).
 *
 * Until nodes run the overlay security profile themselves, the signed envelope travels as the
 * payload of an RPC; the signatures, keys and checks are exactly the overlay's (§3).
 */
import { createEnvelope, type FameEnvelope } from '@naylence/core';
import { EnvelopeVerifier, KeyStore, NodeKeys, type CryptoProvider, type EnvelopeSigner, type PublicJwk } from '@naylence/security';

/** One side of the exchange: its keys, and the keys it learned from the other side. */
export class SigningParty {
  readonly keys: NodeKeys;
  readonly store: KeyStore;
  readonly verifier: EnvelopeVerifier;
  readonly signer: EnvelopeSigner;
  readonly provider: CryptoProvider;
  /** The physical path this party signs as (its `sid` is derived from it). */
  readonly path: string;

  constructor(provider: CryptoProvider, path: string) {
    this.provider = provider;
    this.path = path;
    this.keys = new NodeKeys({ provider });
    this.store = new KeyStore({ provider });
    this.verifier = new EnvelopeVerifier({ provider, keys: this.store });
    this.signer = this.keys.envelopeSigner(path);
  }

  /** What the other side needs: where we sign from and our public keys. */
  shareable(): { path: string; keys: PublicJwk[] } {
    return { path: this.path, keys: this.keys.shareableKeys() };
  }

  /** Keep the other side's keys. @throws Error naming the rejected keys */
  learn(peer: { path: string; keys: readonly object[] }): void {
    const { rejected } = this.store.addKeys(peer.keys, peer.path);
    if (rejected.length > 0) throw new Error(`rejected keys: ${rejected.map((r) => r.reason).join('; ')}`);
  }

  /** A Data envelope to `to` carrying `payload`, signed with our key. */
  sign(to: string, payload: unknown): Promise<FameEnvelope> {
    return this.signer.signAsync(createEnvelope({ to, frame: { type: 'Data', payload } }));
  }

  /** Verify an envelope signed by the other side. @throws SignatureInvalidError, UnknownKeyError, SidMismatchError */
  verify(envelope: FameEnvelope): Promise<{ kid: string; physicalPath: string }> {
    return this.verifier.verifyAsync(envelope, 'final');
  }
}

/** A copy of `envelope` whose payload was changed after signing (what the verifier must refuse). */
export function tampered(envelope: FameEnvelope, payload: unknown): FameEnvelope {
  if (envelope.frame.type !== 'Data') throw new Error('only Data frames carry a payload');
  return { ...envelope, frame: { ...envelope.frame, payload } };
}
