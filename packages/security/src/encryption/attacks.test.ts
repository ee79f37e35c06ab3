/**
 * Attacks at library level (protocol-security §8 W1, W6): each is refused with a typed error,
 * and the managers keep working for honest traffic afterwards.
 */
import { describe, expect, it } from 'vitest';
import { createEnvelope, type DataFrame, type FameEnvelope, type SecureOpenFrame } from '@naylence/core';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { base64Decode, base64Encode } from '../crypto/encoding.js';
import { type DecryptionError, ReplayError, type SignatureInvalidError } from '../errors.js';
import { NodeKeys } from '../keys/node-keys.js';
import { DefaultSecureChannelManager } from './secure-channel-manager.js';
import { sealEnvelope } from './sealed-envelope.js';
import { twoNodes, type TwoNodes } from './two-nodes.test.util.js';

const MATH = 'math@/sentinel/b';

function request(payload: unknown = { op: 'transfer', amount: 10 }): FameEnvelope {
  return createEnvelope({ to: MATH, replyTo: 'client@/sentinel/a', corrId: 'c1', frame: { type: 'Data', payload } });
}

/** Flips one bit of the ciphertext (inside the tag for short payloads, which is what matters). */
function tamper(envelope: FameEnvelope): FameEnvelope {
  const frame = envelope.frame as DataFrame & { payload: string };
  const bytes = base64Decode(frame.payload)!;
  bytes[bytes.length - 1]! ^= 1;
  return { ...envelope, frame: { ...frame, payload: base64Encode(bytes) } };
}

/** A channel between A and B, with one request delivered to B's inbox (not yet decrypted). */
function withChannel(fabric: TwoNodes): { cid: string; wire: FameEnvelope } {
  fabric.a.channel.encrypt(fabric.a.sign(request()));
  fabric.pump();
  return { cid: (fabric.a.sent[0]!.frame as SecureOpenFrame).cid, wire: fabric.b.inbox[0]! };
}

describe.each([
  ['node:crypto', nodeCryptoProvider],
  ['noble', browserCryptoProvider],
] as const)('attacks with %s', (_name, provider) => {
  it('W1: ciphertext swapped under a valid signature (sealed) is refused after decryption', async () => {
    const fabric = twoNodes(provider);
    const { a, b } = fabric;
    a.store.addKeys([b.keys.encryptionJwk()], MATH);
    const honest = a.sealed.encrypt(a.sign(request()));
    const wire = (honest as { envelope: FameEnvelope }).envelope;
    // An on-path router seals its own payload to B's public key and keeps A's signature and pd.
    const forgedInput: FameEnvelope = { ...wire, frame: { type: 'Data', payload: { op: 'transfer', amount: 10_000 } }, sec: {} };
    const forged = sealEnvelope(provider, forgedInput, {
      recipientPublicKey: b.keys.encryptionPublicKey,
      recipientKid: b.keys.encryptionKid,
    });
    const swapped: FameEnvelope = {
      ...wire,
      frame: { ...forged.frame, pd: (wire.frame as DataFrame).pd } as DataFrame,
      sec: { sig: wire.sec!.sig!, enc: forged.sec!.enc! },
    };
    // The signature still verifies where only the advertised pd is checked (every hop)…
    expect(b.verifier.verify(swapped, 'hop').physicalPath).toBe('/sentinel/a');
    // …but not after decryption.
    expect(() => b.encryption.decrypt(swapped)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID', failure: 'payload_digest_mismatch' }) as SignatureInvalidError,
    );
    expect((await b.encryption.decrypt(wire)).frame).toMatchObject({ payload: { amount: 10 } });
  });

  it('W1: ciphertext swapped under a valid signature (channel) is refused after decryption', async () => {
    const fabric = twoNodes(provider);
    const { b } = fabric;
    const { wire } = withChannel(fabric);
    // The router opens its own channel to B and puts its ciphertext under A's signature.
    const router = new DefaultSecureChannelManager({ provider });
    const open = router.open(MATH);
    router.handleAccept(b.channels.handleOpen(open)!);
    const forged = router.encrypt(
      createEnvelope({ to: MATH, frame: { type: 'Data', payload: { op: 'transfer', amount: 10_000 } } }),
      open.cid,
    );
    const swapped: FameEnvelope = {
      ...wire,
      frame: { ...forged.frame, pd: (wire.frame as DataFrame).pd } as DataFrame,
      sec: { sig: wire.sec!.sig!, enc: forged.sec!.enc! },
    };
    expect(b.verifier.verify(swapped, 'hop').physicalPath).toBe('/sentinel/a');
    expect(() => b.encryption.decrypt(swapped)).toThrow(expect.objectContaining({ failure: 'payload_digest_mismatch' }));
    expect((await b.encryption.decrypt(wire)).frame).toMatchObject({ payload: { amount: 10 } });
  });

  it('W6: a replayed channel message is refused, and so is our own message reflected back', async () => {
    const fabric = twoNodes(provider);
    const { a, b } = fabric;
    const { wire } = withChannel(fabric);
    await b.encryption.decrypt(wire);
    // Replayed under a new envelope id (unsigned, so the id could be changed): the nonce repeats.
    const { sec, ...unsigned } = wire;
    const replay = { ...unsigned, id: 'fresh-id', sec: { enc: sec!.enc } } as FameEnvelope;
    expect(() => b.encryption.decrypt(replay)).toThrow(expect.objectContaining({ code: 'REPLAY_DETECTED', kind: 'channel_nonce' }));
    // Reflected to its sender: the same key opens it, the nonce window refuses it.
    expect(() => a.channels.decrypt(wire)).toThrow(ReplayError);
    // Honest traffic continues.
    const next = a.channel.encrypt(a.sign(request('next')));
    expect(next.status).toBe('OK');
    expect((await b.encryption.decrypt((next as { envelope: FameEnvelope }).envelope)).frame).toMatchObject({ payload: 'next' });
  });

  it('W6: a replayed sealed envelope (same id) is refused', async () => {
    const { a, b } = twoNodes(provider);
    a.store.addKeys([b.keys.encryptionJwk()], MATH);
    const wire = (a.sealed.encrypt(a.sign(request())) as { envelope: FameEnvelope }).envelope;
    await b.encryption.decrypt(wire);
    expect(() => b.encryption.decrypt(structuredClone(wire))).toThrow(
      expect.objectContaining({ code: 'REPLAY_DETECTED', kind: 'envelope_id', envelopeId: wire.id }),
    );
  });

  it('a tampered tag is refused (sealed and channel)', async () => {
    const fabric = twoNodes(provider);
    const { a, b } = fabric;
    a.store.addKeys([b.keys.encryptionJwk()], MATH);
    const sealed = (a.sealed.encrypt(a.sign(request())) as { envelope: FameEnvelope }).envelope;
    expect(() => b.encryption.decrypt(tamper(sealed))).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED', failure: 'authentication' }) as DecryptionError,
    );
    const { wire } = withChannel(fabric);
    expect(() => b.encryption.decrypt(tamper(wire))).toThrow(expect.objectContaining({ failure: 'authentication' }));
    // The untampered originals still decrypt: a failed attempt consumes nothing.
    expect((await b.encryption.decrypt(sealed)).frame).toMatchObject({ payload: { amount: 10 } });
    expect((await b.encryption.decrypt(wire)).frame).toMatchObject({ payload: { amount: 10 } });
  });

  it('a channel to an unknown key is refused (unknown channel id, or sealed to another key)', async () => {
    const fabric = twoNodes(provider);
    const { a, b } = fabric;
    // A channel B never agreed to: an attacker's own channel key and id.
    const stranger = new DefaultSecureChannelManager({ provider });
    const other = new DefaultSecureChannelManager({ provider });
    const open = stranger.open(MATH);
    stranger.handleAccept(other.handleOpen(open)!);
    const foreign = stranger.encrypt(a.sign(request()), open.cid);
    expect(() => b.encryption.decrypt(foreign)).toThrow(expect.objectContaining({ failure: 'unknown_channel' }));
    // A known channel id with a key that is not the channel's.
    const { cid } = withChannel(fabric);
    const wrongKey = stranger.encrypt(a.sign(request()), open.cid);
    const relabelled = { ...wrongKey, sec: { ...wrongKey.sec, enc: { ...wrongKey.sec!.enc!, kid: cid } } } as FameEnvelope;
    expect(() => b.encryption.decrypt(relabelled)).toThrow(expect.objectContaining({ failure: 'authentication' }));
    // Sealed to a key that is not B's.
    const sealedElsewhere = sealEnvelope(provider, a.sign(request()), {
      recipientPublicKey: new NodeKeys({ provider }).encryptionPublicKey,
    });
    expect(() => b.encryption.decrypt(sealedElsewhere)).toThrow(expect.objectContaining({ failure: 'authentication' }));
    // An unknown sealed alg is refused, not guessed.
    const odd = {
      ...sealedElsewhere,
      sec: { ...sealedElsewhere.sec, enc: { ...sealedElsewhere.sec!.enc!, alg: 'ROT13' } },
    } as FameEnvelope;
    expect(() => b.encryption.decrypt(odd)).toThrow(expect.objectContaining({ failure: 'unsupported_algorithm' }));
  });

  it('a handshake with a bad algorithm is refused and what waited for it is NACKed', () => {
    const fabric = twoNodes(provider, {
      onTransit: (e) => (e.frame.type === 'SecureOpen' ? { ...e, frame: { ...e.frame, alg: 'NONE' } } : e),
    });
    const { a, b, pump } = fabric;
    a.channel.encrypt(a.sign(request()));
    pump();
    expect(b.sent[0]!.frame).toMatchObject({ type: 'SecureAccept', ok: false, reason: 'Unsupported algorithm: NONE' });
    expect(b.channels.size).toBe(0);
    expect(a.sent.map((e) => e.frame.type)).toEqual(['SecureOpen', 'DeliveryAck']);
    expect(a.sent[1]!.frame).toMatchObject({ ok: false, code: 'channel_handshake_failed' });
  });
});
