import { describe, expect, it } from 'vitest';
import { BackPressureError, createEnvelope, type FameEnvelope, type SecureOpenFrame } from '@naylence/core';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { type DecryptionError, EncryptionError } from '../errors.js';
import { ChannelEncryptionManager } from './channel-encryption-manager.js';
import type { EncryptionHost } from './encryption-manager.js';
import { DefaultSecureChannelManager, destinationOfChannelId } from './secure-channel-manager.js';
import { twoNodes } from './two-nodes.test.util.js';

const MATH = 'math@/sentinel/b';
const CLIENT = 'client@/sentinel/a';

function request(payload: unknown = { jsonrpc: '2.0', id: 1, method: 'add', params: { x: 1, y: 2 } }): FameEnvelope {
  return createEnvelope({ to: MATH, replyTo: CLIENT, corrId: 'c1', frame: { type: 'Data', payload } });
}

/** A host that records what it is asked to send. */
function recordingHost(path: string | undefined): EncryptionHost & { sent: FameEnvelope[] } {
  const sent: FameEnvelope[] = [];
  return { sent, physicalPath: () => path, send: (e) => void sent.push(e), sendUpstream: (e) => void sent.push(e) };
}

describe('ChannelEncryptionManager between two nodes', () => {
  it('opens a channel, sends what waited, decrypts, and answers on the same channel', async () => {
    const { a, b, pump } = twoNodes(provider);
    const signed = a.sign(request());
    const frozen = structuredClone(signed);
    expect(a.channel.encrypt(signed)).toEqual({ status: 'QUEUED' });
    expect(signed).toEqual(frozen); // never mutated
    expect(a.channel.handshakingWith).toEqual([MATH]);
    pump();

    const [open, data] = a.sent;
    expect(open).toMatchObject({ to: MATH, replyTo: '__sys__@/sentinel/a', frame: { type: 'SecureOpen', alg: 'CHACHA20P1305', opts: 0 } });
    expect(open!.corrId).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(open!.sec?.sig).toBeDefined(); // a critical frame, signed by the host
    const accept = b.sent[0]!;
    expect(accept).toMatchObject({ to: '__sys__@/sentinel/a', corrId: open!.corrId, frame: { type: 'SecureAccept', ok: true } });
    const cid = (open!.frame as SecureOpenFrame).cid;
    expect(data!.sec?.enc).toMatchObject({ alg: 'chacha20-poly1305-channel', kid: cid });
    expect(data!.sec?.sig).toEqual(signed.sec!.sig); // signed first, then encrypted
    expect(a.channel.handshakingWith).toEqual([]);

    const delivered = await b.encryption.decrypt(b.inbox[0]!);
    expect(delivered.frame).toEqual({
      type: 'Data',
      codec: 'json',
      payload: signed.frame.type === 'Data' && signed.frame.payload,
      pd: (signed.frame as { pd: string }).pd,
    });
    expect(b.verifier.verify(delivered, 'final').physicalPath).toBe('/sentinel/a');

    // The answer goes back on the channel the request used, with no new handshake.
    const answer = b.channel.encrypt(createEnvelope({ to: CLIENT, corrId: 'c1', frame: { type: 'Data', payload: { result: 3 } } }));
    expect(answer.status).toBe('OK');
    const wire = (answer as { envelope: FameEnvelope }).envelope;
    expect(wire.sec?.enc?.kid).toBe(cid);
    expect((await a.encryption.decrypt(wire)).frame).toMatchObject({ payload: { result: 3 } });
    expect(b.channels.channelInfo(cid)).toMatchObject({ role: 'responder', sent: 1, received: 1, peerSid: a.sign(request()).sid });
    expect(a.channels.channelInfo(cid)).toMatchObject({ role: 'initiator', sent: 1, received: 1, destination: MATH });

    // Later requests reuse the channel at once.
    expect(a.channel.encrypt(a.sign(request('again'))).status).toBe('OK');
  });

  it('bounds what waits for a handshake', () => {
    const channels = new DefaultSecureChannelManager({ provider });
    const manager = new ChannelEncryptionManager({ channels, host: recordingHost('/n'), pending: { maxPerGroup: 2, maxGroups: 1 } });
    manager.encrypt(request());
    manager.encrypt(request());
    expect(() => manager.encrypt(request())).toThrow(BackPressureError);
    expect(() => manager.encrypt(createEnvelope({ to: 'other@/x', frame: { type: 'Data', payload: 1 } }))).toThrow(BackPressureError);
  });

  it('skips what has nothing to encrypt and refuses what it cannot encrypt', () => {
    const host = recordingHost(undefined);
    const manager = new ChannelEncryptionManager({ channels: new DefaultSecureChannelManager({ provider }), host });
    const nullPayload = createEnvelope({ to: MATH, frame: { type: 'Data', payload: null } });
    expect(manager.encrypt(nullPayload)).toEqual({ status: 'SKIPPED', envelope: nullPayload });
    const ack = createEnvelope({ to: MATH, frame: { type: 'DeliveryAck', ok: true } });
    expect(manager.encrypt(ack)).toEqual({ status: 'SKIPPED', envelope: ack });
    expect(() => manager.encrypt(createEnvelope({ frame: { type: 'Data', payload: 1 } }))).toThrow(EncryptionError);
    // Not attached: no replyTo for a SecureOpen. Nothing stays queued.
    expect(() => manager.encrypt(request())).toThrow(/not attached/);
    expect(manager.handshakingWith).toEqual([]);
    expect(host.sent).toEqual([]);
  });

  it('NACKs what waited when the peer refuses the handshake (unsupported algorithm)', async () => {
    // The SecureOpen asks for an algorithm the responder does not support.
    const { a, b, pump } = twoNodes(provider, {
      onTransit: (e) => (e.frame.type === 'SecureOpen' ? { ...e, frame: { ...e.frame, alg: 'AES256GCM' } } : e),
    });
    const first = a.sign(request());
    a.channel.encrypt(first);
    a.channel.encrypt(a.sign(createEnvelope({ to: MATH, frame: { type: 'Data', payload: 'no replyTo: dropped with a log line' } })));
    pump();
    const cid = (a.sent[0]!.frame as SecureOpenFrame).cid;
    expect(b.sent[0]!.frame).toEqual({
      type: 'SecureAccept',
      ok: false,
      cid,
      reason: 'Unsupported algorithm: AES256GCM',
      ephPub: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      alg: 'AES256GCM',
    });
    expect(b.channels.hasChannel(cid)).toBe(false);
    // One NACK, for the envelope with a replyTo, sent by A to the requester (itself here).
    expect(a.sent.slice(1)).toHaveLength(1);
    expect(a.sent[1]).toMatchObject({
      to: CLIENT,
      corrId: 'c1',
      traceId: first.traceId,
      frame: {
        type: 'DeliveryAck',
        ok: false,
        code: 'channel_handshake_failed',
        reason: 'channel_handshake_failed: negative_secure_accept',
        refId: first.id,
      },
    });
    expect(a.channels.hasChannel(cid)).toBe(false);
    expect(a.channel.handshakingWith).toEqual([]);
  });

  it('NACKs what waited when no SecureAccept comes in time, or the SecureOpen itself is NACKed', () => {
    let now = 0;
    const { a, pump } = twoNodes(provider, { channels: { now: () => now, handshakeTimeoutMs: 5_000 }, onTransit: () => undefined });
    a.channel.encrypt(a.sign(request()));
    pump();
    now = 4_999;
    a.channel.sweep();
    expect(a.sent).toHaveLength(1);
    now = 5_000;
    a.channel.sweep();
    pump();
    expect(a.sent[1]!.frame).toMatchObject({ code: 'channel_handshake_failed', reason: 'channel_handshake_failed: handshake_timeout' });

    // A router answers the SecureOpen with a NACK (no route): the handshake fails at once.
    a.channel.encrypt(a.sign(request()));
    pump();
    const open = a.sent[2]!;
    const nack = createEnvelope({ to: open.replyTo, corrId: open.corrId, frame: { type: 'DeliveryAck', ok: false, code: 'NO_ROUTE' } });
    expect(a.channel.handleDeliveryNack(nack)).toBe(true);
    pump();
    expect(a.sent[3]!.frame).toMatchObject({ reason: 'channel_handshake_failed: NO_ROUTE' });
    expect(a.channel.handleDeliveryNack(nack)).toBe(false); // once only
    expect(a.channels.handshakesInProgress).toBe(0);
  });
});

describe('DefaultSecureChannelManager', () => {
  it('parses the destination back out of a channel id, dashes included', () => {
    expect(destinationOfChannelId('auto-math@fame.fabric-Chan0001')).toBe('math@fame.fabric');
    expect(destinationOfChannelId('auto-my-agent@eu-west.fame.fabric-abc')).toBe('my-agent@eu-west.fame.fabric');
    expect(destinationOfChannelId('manual-channel')).toBeUndefined();
    expect(destinationOfChannelId('auto-')).toBeUndefined();
  });

  it('refuses an undecryptable channel message with the reason', () => {
    const channels = new DefaultSecureChannelManager({ provider });
    const envelope = createEnvelope({
      frame: { type: 'Data', codec: 'b64', payload: 'AAAA' },
      sec: { enc: { alg: 'chacha20-poly1305-channel', kid: 'auto-x@y-z', val: '000000000000000000000000' } },
    });
    expect(() => channels.decrypt(envelope)).toThrow(expect.objectContaining({ failure: 'unknown_channel' }) as DecryptionError);
  });
});
