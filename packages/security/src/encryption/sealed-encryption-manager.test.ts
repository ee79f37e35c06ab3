import { describe, expect, it } from 'vitest';
import { BackPressureError, createEnvelope, type FameEnvelope } from '@naylence/core';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { EncryptionError } from '../errors.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { DefaultSecurityPolicy } from '../policy/default-security-policy.js';
import { CompositeEncryptionManager } from './composite-encryption-manager.js';
import type { EncryptionHost } from './encryption-manager.js';
import { keyStoreRecipients } from './recipient-keys.js';
import { SealedEncryptionManager } from './sealed-encryption-manager.js';
import { STRICT_POLICY, twoNodes } from './two-nodes.test.util.js';

const MATH = 'math@/sentinel/b';

const request = (to = MATH): FameEnvelope =>
  createEnvelope({ to, replyTo: 'client@/sentinel/a', corrId: 'c1', frame: { type: 'Data', payload: { op: 'add', args: [1, 2] } } });

describe('SealedEncryptionManager', () => {
  it('requests a missing key by address upstream, then seals and sends what waited', async () => {
    const { a, b, pump } = twoNodes(provider);
    const signed = a.sign(request());
    expect(a.sealed.encrypt(signed)).toEqual({ status: 'QUEUED' });
    expect(a.sealed.encrypt(a.sign(request()))).toEqual({ status: 'QUEUED' }); // one request for both
    expect(a.sealed.pendingAddresses).toEqual([MATH]);
    pump();
    const [keyRequest, first, second] = a.sent;
    // The reference's by-address request: no `to`, a fresh corrId, sent to the parent.
    expect(keyRequest).not.toHaveProperty('to');
    expect(keyRequest!.corrId).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(keyRequest!.frame).toEqual({ type: 'KeyRequest', address: MATH, physicalPath: '/sentinel/a' });
    expect(a.sent).toHaveLength(3);
    expect(first!.sec?.enc).toEqual(expect.objectContaining({ alg: 'ECDH-ES+A256GCM', kid: b.keys.encryptionKid }));
    expect(second!.sec?.enc?.val).not.toBe(first!.sec?.enc?.val); // a fresh ephemeral key each time
    const opened = await b.encryption.decrypt(b.inbox[0]!);
    expect(opened.frame).toMatchObject({ payload: { op: 'add', args: [1, 2] } });
    expect(b.verifier.verify(opened, 'final').physicalPath).toBe('/sentinel/a');
    // Now the key is known: sealed at once.
    expect(a.sealed.encrypt(a.sign(request())).status).toBe('OK');
    expect(a.sealed.hasRecipientKey(MATH)).toBe(true);
  });

  it('seals a run of messages to one recipient with keys agreed ahead between them: each opens, each its own ephemeral key', async () => {
    let agreements = 0;
    const counting = {
      ...provider,
      x25519: {
        ...provider.x25519,
        sharedSecret: (...args: [Uint8Array, Uint8Array]) => (agreements++, provider.x25519.sharedSecret(...args)),
      },
    };
    const { a, b, pump } = twoNodes(counting);
    a.sealed.encrypt(a.sign(request()));
    pump(); // the key request is answered: the recipient's key is known from here on
    const ephemeralKeys = new Set<string>();
    for (let i = 0; i < 6; i++) {
      agreements = 0;
      const result = a.sealed.encrypt(a.sign(request()));
      expect(agreements).toBe(i === 0 ? 1 : 0); // from the second seal in a row on, agreed in an earlier turn
      expect(result.status).toBe('OK');
      const sealed = (result as { envelope: FameEnvelope }).envelope;
      ephemeralKeys.add(sealed.sec!.enc!.val.slice(0, 43));
      const opened = await b.encryption.decrypt(sealed);
      expect(opened.frame).toMatchObject({ payload: { op: 'add', args: [1, 2] } });
      expect(b.verifier.verify(opened, 'final').physicalPath).toBe('/sentinel/a');
      await new Promise((resolve) => setImmediate(resolve)); // the turn ends: the next key is agreed now
    }
    expect(ephemeralKeys.size).toBe(6);
  });

  it('refuses to construct with an algorithm it cannot write (fail closed, naming the setting)', () => {
    const keys = new NodeKeys({ provider });
    const host: EncryptionHost = { physicalPath: () => '/n', send: () => undefined, sendUpstream: () => undefined };
    const recipients = keyStoreRecipients({ store: new KeyStore({ provider }) });
    expect(() => new SealedEncryptionManager({ provider, host, own: keys, recipients, alg: 'A128KW' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', setting: 'alg' }),
    );
    expect(new SealedEncryptionManager({ provider, host, own: keys, recipients, alg: 'aes-256-gcm' })).toBeInstanceOf(
      SealedEncryptionManager,
    );
  });

  it('re-sends the key request, then NACKs encryption_key_unavailable', () => {
    let now = 0;
    const sent: FameEnvelope[] = [];
    const host: EncryptionHost = { physicalPath: () => '/n', send: (e) => void sent.push(e), sendUpstream: (e) => void sent.push(e) };
    const keys = new NodeKeys({ provider });
    const sealed = new SealedEncryptionManager({
      provider,
      host,
      own: keys,
      recipients: keyStoreRecipients({ store: new KeyStore({ provider }) }),
      keyRequests: { now: () => now, maxPendingPerKid: 1 },
    });
    const waiting = request('nobody@/x');
    sealed.encrypt(waiting);
    expect(() => sealed.encrypt(request('nobody@/x'))).toThrow(BackPressureError);
    for (now = 5_000; now <= 15_000; now += 5_000) sealed.sweep();
    const corrIds = sent.filter((e) => e.frame.type === 'KeyRequest').map((e) => e.corrId);
    expect(new Set(corrIds).size).toBe(3); // three sends, each with a fresh corrId
    expect(sent.at(-1)).toMatchObject({
      to: 'client@/sentinel/a',
      corrId: 'c1',
      frame: { type: 'DeliveryAck', ok: false, code: 'encryption_key_unavailable', refId: waiting.id },
    });
    expect(sealed.pendingAddresses).toEqual([]);
  });

  it('finds keys by address, then path, then participant, and uses its own key for its own path', () => {
    const store = new KeyStore({ provider });
    const own = new NodeKeys({ provider });
    const byAddress = new NodeKeys({ provider });
    const byPath = new NodeKeys({ provider });
    const byParticipant = new NodeKeys({ provider });
    store.addKeys([byAddress.encryptionJwk()], 'math@fame.fabric');
    store.addKeys([byPath.signingJwk(), byPath.encryptionJwk()], '/s/b');
    store.addKeys([byParticipant.encryptionJwk()], 'echo');
    const resolve = keyStoreRecipients({ store, own, physicalPath: () => '/s/me' });
    expect(resolve('math@fame.fabric')?.kid).toBe(byAddress.encryptionKid);
    expect(resolve('calc@/s/b')?.kid).toBe(byPath.encryptionKid);
    expect(resolve('echo@fame.fabric')?.kid).toBe(byParticipant.encryptionKid);
    expect(resolve('me@/s/me')).toEqual({ kid: own.encryptionKid, publicKey: own.encryptionPublicKey });
    expect(resolve('nobody@fame.fabric')).toBeUndefined();
    expect(resolve('not an address')).toBeUndefined();
  });

  it('writes aes-256-gcm when asked, and opens it', async () => {
    const { a, b } = twoNodes(provider);
    a.store.addKeys([b.keys.encryptionJwk()], MATH);
    const aes = new SealedEncryptionManager({
      provider,
      host: { physicalPath: () => a.path, send: () => {}, sendUpstream: () => {} },
      own: a.keys,
      recipients: keyStoreRecipients({ store: a.store }),
      alg: 'aes-256-gcm',
    });
    const result = aes.encrypt(a.sign(request()));
    expect(result.status === 'OK' && result.envelope.sec?.enc?.alg).toBe('aes-256-gcm');
    expect((await b.encryption.decrypt((result as { envelope: FameEnvelope }).envelope)).frame).toMatchObject({ payload: { op: 'add' } });
  });
});

describe('CompositeEncryptionManager', () => {
  it('encrypts at the level the policy decides and dispatches decryption by alg', async () => {
    const { a, b, pump } = twoNodes(provider);
    a.store.addKeys([b.keys.encryptionJwk()], MATH);
    // strict-overlay-like: channel by default, sealed when asked.
    expect(a.encryption.levelFor(request())).toBe('channel');
    expect(await a.encryption.encrypt(a.sign(request()))).toEqual({ status: 'QUEUED' });
    const sealed = await a.encryption.encrypt(a.sign(request()), { level: 'sealed' });
    expect(sealed.status === 'OK' && sealed.envelope.sec?.enc?.alg).toBe('ECDH-ES+A256GCM');
    pump();
    for (const wire of [...b.inbox, (sealed as { envelope: FameEnvelope }).envelope]) {
      expect((await b.encryption.decrypt(wire)).frame).toMatchObject({ payload: { op: 'add' } });
    }
    // Responses mirror the request's level.
    const response = createEnvelope({ to: 'client@/sentinel/a', frame: { type: 'Data', payload: 3 } });
    const context = { origin: 'local' as const, messageType: 'response' };
    expect(b.encryption.levelFor(response, { context: { ...context, inboundCryptoLevel: 'sealed' } })).toBe('sealed');
    expect(b.encryption.levelFor(response, { context: { ...context, inboundCryptoLevel: 'channel' } })).toBe('channel');
    expect(b.encryption.levelFor(response, { context: { ...context, inboundCryptoLevel: 'plaintext' } })).toBe('plaintext');
    // escalate_if_peer_supports: sealed as soon as the recipient's key is known.
    const escalating = new CompositeEncryptionManager({
      policy: new DefaultSecurityPolicy({
        ...STRICT_POLICY,
        encryption: { outbound: { default_level: 'channel', escalate_if_peer_supports: true } },
      }),
      sealed: a.sealed,
      channel: a.channel,
    });
    expect(escalating.levelFor(request())).toBe('sealed');
    expect(escalating.levelFor(request('nobody@fame.fabric'))).toBe('channel');
  });

  it('never falls back to plaintext', async () => {
    const policy = new DefaultSecurityPolicy(STRICT_POLICY);
    const manager = new CompositeEncryptionManager({ policy });
    await expect(async () => manager.encrypt(request())).rejects.toThrow(EncryptionError);
    const ack = createEnvelope({ to: MATH, frame: { type: 'DeliveryAck', ok: true } });
    expect(await manager.encrypt(ack)).toEqual({ status: 'SKIPPED', envelope: ack });
    const plain = new CompositeEncryptionManager({ policy: new DefaultSecurityPolicy() });
    const envelope = request();
    expect(await plain.encrypt(envelope)).toEqual({ status: 'SKIPPED', envelope });
    expect(await plain.decrypt(envelope)).toBe(envelope);
  });
});
