import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { secureDigestSync } from '../signing/digests.js';
import { NodeKeys } from './node-keys.js';
import { KeyStore } from './key-store.js';
import { acceptAnnouncedKeys, answerKeyRequest, keyAnnounceFrame, keyRequestFrame } from './key-frames.js';
import { KEY_REQUEST_MAX_ATTEMPTS, KeyRequestTracker } from './key-request-tracker.js';

const sid = (path: string) => secureDigestSync(provider, path);

describe('KeyRequest / KeyAnnounce', () => {
  it('build the frames of §4.3 and answer a request from the store', () => {
    expect(keyRequestFrame({ kid: 'k', physicalPath: '/s/a' })).toEqual({ type: 'KeyRequest', kid: 'k', physicalPath: '/s/a' });
    const store = new KeyStore({ provider });
    const keys = new NodeKeys({ provider });
    store.addKeys(keys.shareableKeys(), '/s/b');
    const answer = answerKeyRequest(store, keyRequestFrame({ kid: keys.signingKid, physicalPath: '/s/a' }))!;
    expect(answer).toMatchObject({
      type: 'KeyAnnounce',
      physicalPath: '/s/b',
      keys: [{ kid: keys.signingKid, sid: sid('/s/b'), physical_path: '/s/b' }],
    });
    expect(answer.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(answerKeyRequest(store, keyRequestFrame({ kid: 'nope' }))).toBeUndefined();
  });

  it('store an uncorrelated announce only with the link’s sid, and a child’s only for its subtree (§4.2)', () => {
    const store = new KeyStore({ provider });
    const child = new NodeKeys({ provider });
    const frame = keyAnnounceFrame({ physicalPath: '/s/child', keys: child.shareableKeys() });
    const input = { frame, origin: 'downstream', linkPath: '/s/child' } as const;
    expect(() => acceptAnnouncedKeys(store, provider, { ...input, envelopeSid: sid('/s/other') })).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
    expect(acceptAnnouncedKeys(store, provider, { ...input, envelopeSid: sid('/s/child') }).added).toHaveLength(2);
    const grandchild = keyAnnounceFrame({ physicalPath: '/s/child/grand', keys: new NodeKeys({ provider }).shareableKeys() });
    expect(acceptAnnouncedKeys(store, provider, { ...input, frame: grandchild, envelopeSid: sid('/s/child') }).added).toHaveLength(2);
    for (const outside of ['/s/other', '/s/childish', '/s']) {
      const bad = keyAnnounceFrame({ physicalPath: outside, keys: new NodeKeys({ provider }).shareableKeys() });
      expect(() => acceptAnnouncedKeys(store, provider, { ...input, frame: bad, envelopeSid: sid('/s/child') })).toThrow(
        /outside its subtree/,
      );
    }
    // From the parent: its sid, any path.
    const fromParent = keyAnnounceFrame({ physicalPath: '/s/elsewhere', keys: new NodeKeys({ provider }).shareableKeys() });
    expect(
      acceptAnnouncedKeys(store, provider, { frame: fromParent, origin: 'upstream', linkPath: '/s', envelopeSid: sid('/s') }).added,
    ).toHaveLength(2);
  });

  it('accept a correlated announce without the sid check only as the answer to our request, and only the requested key (W4)', () => {
    const store = new KeyStore({ provider });
    const tracker = new KeyRequestTracker<string>();
    const wanted = new NodeKeys({ provider });
    const sent = tracker.track(wanted.signingKid, 'upstream', 'envelope-1', '/s/me');
    if (sent.status !== 'send') throw new Error('expected a request');
    expect(sent.request.frame).toEqual({ type: 'KeyRequest', kid: wanted.signingKid, physicalPath: '/s/me' });
    expect(tracker.track(wanted.signingKid, 'upstream', 'envelope-2').status).toBe('queued');

    // An unsolicited corrId, or the right corrId from another link, is not an answer.
    expect(tracker.answer('made-up', 'upstream')).toBeUndefined();
    expect(tracker.answer(sent.request.corrId, 'peer-x')).toBeUndefined();
    const answers = tracker.answer(sent.request.corrId, 'upstream')!;
    expect(answers).toEqual({ kid: wanted.signingKid });

    const extra = new NodeKeys({ provider });
    const frame = keyAnnounceFrame({ physicalPath: '/s/owner', keys: [...wanted.shareableKeys(), extra.signingJwk()] });
    const result = acceptAnnouncedKeys(store, provider, { frame, origin: 'upstream', linkPath: '/s', envelopeSid: 'whatever', answers });
    expect(result.added.map((k) => k.kid)).toEqual([wanted.signingKid]);
    expect(result.rejected).toHaveLength(2);
    expect(tracker.release(wanted.signingKid)).toEqual(['envelope-1', 'envelope-2']);
    expect(tracker.answer(sent.request.corrId, 'upstream')).toBeUndefined();
  });
});

describe('KeyRequestTracker', () => {
  it('re-sends after the timeout with a fresh corrId, then gives up after the last attempt', () => {
    let now = 0;
    const tracker = new KeyRequestTracker<number>({ now: () => now });
    const first = tracker.track('k', 'upstream', 1);
    if (first.status !== 'send') throw new Error('expected a request');
    expect(tracker.sweep(4_999)).toEqual({ resend: [], failed: [] });
    const corrIds = [first.request.corrId];
    for (let attempt = 2; attempt <= KEY_REQUEST_MAX_ATTEMPTS; attempt++) {
      now += 5_000;
      const { resend } = tracker.sweep();
      expect(resend).toHaveLength(1);
      corrIds.push(resend[0]!.corrId);
    }
    expect(new Set(corrIds).size).toBe(KEY_REQUEST_MAX_ATTEMPTS);
    expect(tracker.answer(corrIds[0]!, 'upstream')).toEqual({ kid: 'k' }); // a late answer to an earlier attempt counts
    now += 5_000;
    expect(tracker.sweep()).toEqual({ resend: [], failed: [{ kid: 'k', items: [1] }] });
    expect(tracker.outstanding).toBe(0);
    expect(tracker.answer(corrIds[0]!, 'upstream')).toBeUndefined();
  });

  it('is bounded, re-sends everything after a re-attach and clears', () => {
    const tracker = new KeyRequestTracker<number>({ maxPendingPerKid: 2, maxOutstanding: 2 });
    tracker.track('a', 'up', 1);
    tracker.track('a', 'up', 2);
    expect(tracker.track('a', 'up', 3).status).toBe('dropped');
    tracker.track('b', 'up', 4);
    expect(tracker.track('c', 'up', 5).status).toBe('dropped');
    const again = tracker.resendAll('/new/path');
    expect(again.map((r) => r.frame)).toEqual([
      { type: 'KeyRequest', kid: 'a', physicalPath: '/new/path' },
      { type: 'KeyRequest', kid: 'b', physicalPath: '/new/path' },
    ]);
    expect(tracker.clear()).toEqual([1, 2, 4]);
  });
});
