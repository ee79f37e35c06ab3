import { describe, expect, it } from 'vitest';
import { createEnvelope, type FameEnvelope } from '@naylence/core';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { base64Encode } from '../crypto/encoding.js';
import { type DecryptionError, EncryptionError } from '../errors.js';
import { ReplayWindow } from './replay-window.js';
import { DefaultSecureChannelManager, type SecureChannelManagerOptions } from './secure-channel-manager.js';

const MATH = 'math@fame.fabric';

/** An initiator and a responder with one established channel, on one clock. */
function pair(options: Partial<SecureChannelManagerOptions> = {}) {
  const clock = { now: 0 };
  const make = () => new DefaultSecureChannelManager({ provider, now: () => clock.now, ...options });
  const initiator = make();
  const responder = make();
  const open = initiator.open(MATH);
  const accept = responder.handleOpen(open, 'sid-initiator')!;
  expect(initiator.handleAccept(accept, 'sid-responder')).toMatchObject({ status: 'established' });
  return { clock, initiator, responder, cid: open.cid };
}

const data = (payload: unknown = { n: 1 }): FameEnvelope => createEnvelope({ to: MATH, frame: { type: 'Data', payload } });

describe('DefaultSecureChannelManager', () => {
  it('derives one key for both directions', () => {
    const { initiator, responder, cid } = pair();
    expect(responder.decrypt(initiator.encrypt(data('ping'), cid)).frame).toMatchObject({ payload: 'ping' });
    expect(initiator.decrypt(responder.encrypt(data('pong'), cid)).frame).toMatchObject({ payload: 'pong' });
    expect(responder.channelInfo(cid)).toMatchObject({ role: 'responder', peerSid: 'sid-initiator', destination: MATH });
    expect(responder.channelInfo(cid)).not.toHaveProperty('key');
    expect(initiator.channelFor(MATH)).toBe(cid);
    expect(responder.channelFor(MATH)).toBeUndefined(); // responders answer on remembered channels only
  });

  it('expires channels after their lifetime and offers a fresh one before that (re-keying)', () => {
    const { clock, initiator, responder, cid } = pair({ channelTtlMs: 1_000, rekeyMarginMs: 100 });
    clock.now = 899;
    expect(initiator.channelFor(MATH)).toBe(cid);
    clock.now = 900;
    // Within the margin: not offered for new messages, so the sender opens a new channel…
    expect(initiator.channelFor(MATH)).toBeUndefined();
    expect(initiator.isUsable(cid)).toBe(true);
    expect(initiator.isUsable(cid, true)).toBe(false);
    const open = initiator.open(MATH);
    initiator.handleAccept(responder.handleOpen(open)!);
    expect(initiator.channelFor(MATH)).toBe(open.cid);
    // …while the old one still carries what is in flight.
    const late = initiator.encrypt(data('in flight'), cid);
    expect(responder.decrypt(late).frame).toMatchObject({ payload: 'in flight' });
    clock.now = 1_000;
    expect(() => responder.decrypt(initiator.encrypt(data(), open.cid))).not.toThrow();
    expect(() => initiator.encrypt(data(), cid)).toThrow(EncryptionError);
    expect(() => responder.decrypt(late)).toThrow(expect.objectContaining({ failure: 'unknown_channel' }) as DecryptionError);
    expect(responder.cleanupExpiredChannels()).toEqual([cid]);
    expect(initiator.cleanupExpiredChannels()).toEqual([cid]);
    expect(initiator.size).toBe(1);
  });

  it('ignores a replayed SecureOpen and an unexpected SecureAccept; the live channel is untouched', () => {
    const { initiator, responder, cid } = pair();
    const replayedOpen = {
      type: 'SecureOpen' as const,
      cid,
      ephPub: base64Encode(provider.x25519.generateKeyPair().publicKey),
      alg: 'CHACHA20P1305',
    };
    expect(responder.handleOpen(replayedOpen)).toBeUndefined();
    const strayAccept = responder.handleOpen(initiator.open('other@fame.fabric'))!;
    expect(initiator.handleAccept({ ...strayAccept, cid: 'auto-nobody@x-1' })).toEqual({ status: 'ignored', cid: 'auto-nobody@x-1' });
    expect(initiator.handleAccept(strayAccept)).toMatchObject({ status: 'established' });
    expect(initiator.handleAccept(strayAccept)).toMatchObject({ status: 'ignored' }); // a second time
    expect(responder.decrypt(initiator.encrypt(data('still'), cid)).frame).toMatchObject({ payload: 'still' });
  });

  it('closes a channel only on a SecureClose from its peer', () => {
    const { initiator, responder, cid } = pair();
    expect(responder.handleClose({ type: 'SecureClose', cid, reason: 'forged' }, 'sid-somebody-else')).toBe(false);
    expect(responder.handleClose({ type: 'SecureClose', cid, reason: 'forged' })).toBe(false);
    expect(responder.hasChannel(cid)).toBe(true);
    const close = initiator.close(cid, 'done');
    expect(close).toEqual({ type: 'SecureClose', cid, reason: 'done' });
    expect(responder.handleClose(close, 'sid-initiator')).toBe(true);
    expect(responder.hasChannel(cid)).toBe(false);
  });

  it('refuses bad handshakes the reference way', () => {
    const responder = new DefaultSecureChannelManager({ provider });
    const initiator = new DefaultSecureChannelManager({ provider });
    const open = initiator.open(MATH);
    expect(responder.handleOpen({ ...open, alg: 'XCHACHA' })).toMatchObject({ ok: false, reason: 'Unsupported algorithm: XCHACHA' });
    expect(responder.handleOpen({ ...open, ephPub: 'c2hvcnQ=' })).toMatchObject({ ok: false, reason: 'Invalid peer public key' });
    // A low-order point gives no shared secret: refused, not a crash.
    expect(responder.handleOpen({ ...open, ephPub: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).toMatchObject({
      ok: false,
      reason: 'Invalid peer public key',
    });
    expect(responder.size).toBe(0);
    // An accept with an unusable key fails the handshake.
    expect(initiator.handleAccept({ type: 'SecureAccept', ok: true, cid: open.cid, ephPub: 'AAAA', alg: 'CHACHA20P1305' })).toEqual({
      status: 'failed',
      cid: open.cid,
      destination: MATH,
      reason: 'Invalid peer public key',
    });
  });

  it('bounds channels and handshakes, and drops those of a destination', () => {
    const responder = new DefaultSecureChannelManager({ provider, maxChannels: 2 });
    const initiator = new DefaultSecureChannelManager({ provider, maxChannels: 3 });
    const opens = [initiator.open(MATH), initiator.open(MATH), initiator.open('other@fame.fabric')];
    expect(() => initiator.open(MATH)).toThrow(EncryptionError);
    expect(responder.handleOpen(opens[0]!)).toMatchObject({ ok: true });
    expect(responder.handleOpen(opens[1]!)).toMatchObject({ ok: true });
    expect(responder.handleOpen(opens[2]!)).toMatchObject({ ok: false, reason: 'Too many secure channels' });
    expect(responder.removeChannelsForDestination(MATH)).toBe(2);
    expect(initiator.removeChannelsForDestination(MATH)).toBe(2);
    expect(initiator.handshakesInProgress).toBe(1);
  });
});

describe('ReplayWindow', () => {
  it('remembers the last entries within the bound and the time window', () => {
    let now = 0;
    const window = new ReplayWindow({ capacity: 2, ttlMs: 100, now: () => now });
    expect(window.add('a')).toBe(true);
    expect(window.add('a')).toBe(false);
    window.add('b');
    window.add('c'); // pushes out 'a'
    expect(window.has('a')).toBe(false);
    expect(window.size).toBe(2);
    now = 100;
    expect(window.has('c')).toBe(false);
    expect(window.size).toBe(0);
  });

  it('keeps exactly the newest entries within both bounds while its ring wraps and grows', () => {
    let now = 0;
    const capacity = 5;
    const ttlMs = 7;
    const window = new ReplayWindow({ capacity, ttlMs, now: () => now });
    // A plain model: the entries added, with their times, oldest first.
    let model: { key: string; at: number }[] = [];
    let seed = 1;
    const next = () => (seed = (seed * 16807) % 2147483647);
    for (let step = 0; step < 2000; step++) {
      now += next() % 3;
      const key = `k${next() % 12}`;
      model = model.filter((entry) => entry.at > now - ttlMs);
      const fresh = !model.some((entry) => entry.key === key);
      expect(window.add(key)).toBe(fresh);
      if (fresh) model = [...model, { key, at: now }].slice(-capacity);
      expect(window.size).toBe(model.length);
      for (const probe of ['k0', 'k5', 'k11']) expect(window.has(probe)).toBe(model.some((entry) => entry.key === probe));
    }
  });

  it('keeps a key per scope (sender): the same key in two scopes is two entries, bounded together', () => {
    let now = 0;
    const window = new ReplayWindow({ capacity: 6, ttlMs: 9, now: () => now });
    let model: { scope: string; key: string; at: number }[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647);
    for (let step = 0; step < 3000; step++) {
      now += next() % 3;
      const scope = `s${next() % 3}`;
      const key = `k${next() % 5}`;
      model = model.filter((entry) => entry.at > now - 9);
      const fresh = !model.some((entry) => entry.key === key && entry.scope === scope);
      expect(window.add(key, scope)).toBe(fresh);
      if (fresh) model = [...model, { scope, key, at: now }].slice(-6);
      expect(window.size).toBe(model.length);
      for (const [s2, k2] of [
        ['s0', 'k1'],
        ['s1', 'k1'],
        ['s2', 'k4'],
      ] as const) {
        expect(window.has(k2, s2)).toBe(model.some((entry) => entry.key === k2 && entry.scope === s2));
      }
    }
  });
});
