import { createEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { openSealedEnvelope, sealEnvelopeWith } from './sealed-envelope.js';
import { SealingKeys } from './sealing-keys.js';

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const settle = async () => {
  for (let i = 0; i < 6; i++) await macrotask();
};

describe.each([
  ['node:crypto', nodeCryptoProvider],
  ['noble', browserCryptoProvider],
])('SealingKeys (%s)', (_name, provider) => {
  const envelope = createEnvelope({ frame: { type: 'Data', payload: { hello: 'world' } } });

  it('agrees the next key ahead once a recipient is sealed to twice in a row, and what it seals opens', async () => {
    const recipient = provider.x25519.generateKeyPair();
    const keys = new SealingKeys(provider);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      if (i >= 2) expect(keys.isReadyFor(recipient.publicKey)).toBe(true);
      const key = keys.take(recipient.publicKey);
      seen.add(Buffer.from(key.ephemeralPublicKey).toString('hex'));
      const sealed = sealEnvelopeWith(provider, envelope, key);
      expect(key.key.every((byte) => byte === 0)).toBe(true); // zeroed by the seal
      expect(openSealedEnvelope(provider, sealed, recipient.privateKey).frame).toMatchObject({ payload: { hello: 'world' } });
      if (i === 0) {
        await settle();
        expect(keys.isReadyFor(recipient.publicKey)).toBe(false); // one seal is not a pattern
      }
      await settle();
    }
    expect(seen.size).toBe(4); // every seal its own ephemeral key
  });

  it('matches the recipient by its bytes, not its array', async () => {
    const recipient = provider.x25519.generateKeyPair();
    const keys = new SealingKeys(provider);
    keys.take(recipient.publicKey);
    keys.take(Uint8Array.from(recipient.publicKey));
    await settle();
    expect(keys.isReadyFor(Uint8Array.from(recipient.publicKey))).toBe(true);
  });

  it('never hands a key agreed for one recipient to another, and agrees nothing ahead when the recipient keeps changing', async () => {
    const [a, b] = [provider.x25519.generateKeyPair(), provider.x25519.generateKeyPair()];
    const keys = new SealingKeys(provider);
    keys.take(a.publicKey);
    keys.take(a.publicKey);
    await settle();
    expect(keys.isReadyFor(a.publicKey)).toBe(true);
    const forB = keys.take(b.publicKey); // agreed now, for b
    expect(openSealedEnvelope(provider, sealEnvelopeWith(provider, envelope, forB), b.privateKey).frame).toMatchObject({
      payload: { hello: 'world' },
    });
    await settle();
    expect(keys.isReadyFor(a.publicKey)).toBe(true); // kept for a
    expect(keys.isReadyFor(b.publicKey)).toBe(false);
    const alternating = new SealingKeys(provider);
    for (let i = 0; i < 6; i++) {
      alternating.take(i % 2 === 0 ? a.publicKey : b.publicKey);
      await settle();
      expect(alternating.isReadyFor(a.publicKey) || alternating.isReadyFor(b.publicKey)).toBe(false);
    }
  });

  it('close zeroes the key agreed ahead; with no pairs ahead nothing is agreed ahead', async () => {
    const recipient = provider.x25519.generateKeyPair();
    const keys = new SealingKeys(provider);
    keys.take(recipient.publicKey);
    keys.take(recipient.publicKey);
    await settle();
    const ready = keys.take(recipient.publicKey); // the one agreed ahead; another is agreed after it
    await settle();
    expect(keys.isReadyFor(recipient.publicKey)).toBe(true);
    keys.close();
    expect(keys.isReadyFor(recipient.publicKey)).toBe(false);
    await settle();
    expect(keys.isReadyFor(recipient.publicKey)).toBe(false);
    expect(ready.key.some((byte) => byte !== 0)).toBe(true); // handed out before close: the taker's
    const none = new SealingKeys(provider, 0);
    for (let i = 0; i < 3; i++) none.take(recipient.publicKey);
    await settle();
    expect(none.isReadyFor(recipient.publicKey)).toBe(false);
  });
});
