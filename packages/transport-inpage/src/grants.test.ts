import { describe, expect, it } from 'vitest';
import {
  dialerFromGrant,
  directInPageGrant,
  isBusConnectionGrant,
  normalizeBroadcastChannelConnectionGrant,
  normalizeInPageConnectionGrant,
} from './grants.js';

describe('connection grants (admission-and-http §1.1, §3.1)', () => {
  it('normalize as the reference does: default type and purpose, trimmed channel, floored counts, both casings', () => {
    expect(normalizeInPageConnectionGrant({ channel_name: ' app ', inbox_capacity: 64.9, ttl: 0, durable: false })).toEqual({
      type: 'InPageConnectionGrant',
      purpose: 'node.attach',
      channelName: 'app',
      inboxCapacity: 64,
    });
    expect(
      normalizeBroadcastChannelConnectionGrant({
        type: 'BroadcastChannelConnectionGrant',
        purpose: 'x',
        channelName: 'c',
        initialWindow: 32,
      }),
    ).toEqual({ type: 'BroadcastChannelConnectionGrant', purpose: 'x', channelName: 'c', initialWindow: 32 });
    // initialWindow belongs to BroadcastChannel grants only.
    expect(normalizeInPageConnectionGrant({ initialWindow: 32 })).toEqual({ type: 'InPageConnectionGrant', purpose: 'node.attach' });
  });

  it('refuse another type, a blank channel and counts that are not positive', () => {
    for (const bad of [
      { type: 'WebSocketConnectionGrant' },
      { channelName: '  ' },
      { channelName: 7 },
      { inboxCapacity: 0 },
      { inboxCapacity: Number.NaN },
      null,
      [],
    ]) {
      expect(() => normalizeInPageConnectionGrant(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    }
    expect(() => normalizeBroadcastChannelConnectionGrant({ initial_window: -2 })).toThrow(/initialWindow/);
  });

  it('the direct-inpage profile grant reads FAME_DIRECT_INPAGE_CHANNEL, default naylence-fabric', () => {
    expect(directInPageGrant({})).toEqual({ type: 'InPageConnectionGrant', purpose: 'node.attach', channelName: 'naylence-fabric' });
    expect(directInPageGrant({ FAME_DIRECT_INPAGE_CHANNEL: ' mine ' }).channelName).toBe('mine');
  });

  it('turn a grant into the dialer of its bus, and refuse other grants', () => {
    expect(dialerFromGrant(directInPageGrant()).transport).toBe('inpage');
    expect(dialerFromGrant({ type: 'BroadcastChannelConnectionGrant', channelName: 'c' }).transport).toBe('broadcast-channel');
    expect(isBusConnectionGrant({ type: 'InPageConnectionGrant' })).toBe(true);
    expect(isBusConnectionGrant({ type: 'HttpConnectionGrant' })).toBe(false);
    expect(() => dialerFromGrant({ type: 'HttpConnectionGrant', url: 'http://x' })).toThrow(/not an in-page or BroadcastChannel grant/);
  });
});
