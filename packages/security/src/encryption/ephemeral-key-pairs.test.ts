import { createEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { EphemeralKeyPairs } from './ephemeral-key-pairs.js';
import { openSealedEnvelope, sealEnvelope } from './sealed-envelope.js';

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each([
  ['node:crypto', nodeCryptoProvider],
  ['noble', browserCryptoProvider],
])('EphemeralKeyPairs (%s)', (_name, provider) => {
  it('makes pairs ahead after a take, up to its size, and hands each out once', async () => {
    const pool = new EphemeralKeyPairs(provider, 3);
    expect(pool.ready).toBe(0);
    const first = pool.take(); // none ready: made on the spot
    for (let i = 0; i < 5; i++) await macrotask();
    expect(pool.ready).toBe(3);
    const taken = [first, pool.take(), pool.take(), pool.take(), pool.take()];
    const publicKeys = new Set(taken.map((pair) => Buffer.from(pair.publicKey).toString('hex')));
    expect(publicKeys.size).toBe(taken.length);
    for (const pair of taken) expect(provider.x25519.publicKeyOf(pair.privateKey)).toEqual(pair.publicKey);
  });

  it('close zeroes and drops the pairs made ahead; a later take works', async () => {
    const pool = new EphemeralKeyPairs(provider, 2);
    pool.take();
    for (let i = 0; i < 3; i++) await macrotask();
    expect(pool.ready).toBe(2);
    const ready = [pool.take()];
    pool.close();
    expect(pool.ready).toBe(0);
    for (let i = 0; i < 3; i++) await macrotask();
    expect(pool.ready).toBe(0); // no refill after close
    expect(ready[0]!.privateKey.some((byte) => byte !== 0)).toBe(true); // handed out before close: the taker's
    expect(pool.take().privateKey).toHaveLength(32);
  });

  it('a seal with a pair from the pool opens, and zeroes that private key', () => {
    const recipient = provider.x25519.generateKeyPair();
    const pair = new EphemeralKeyPairs(provider, 0).take();
    const envelope = createEnvelope({ frame: { type: 'Data', payload: { hello: 'world' } } });
    const sealed = sealEnvelope(provider, envelope, { recipientPublicKey: recipient.publicKey, ephemeralKeyPair: pair });
    expect(pair.privateKey.every((byte) => byte === 0)).toBe(true);
    expect(openSealedEnvelope(provider, sealed, recipient.privateKey).frame).toMatchObject({ payload: { hello: 'world' } });
  });
});
