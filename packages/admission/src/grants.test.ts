import { describe, expect, it } from 'vitest';
import { NODE_ATTACH_PURPOSE, parseConnectionGrant, parseConnectionGrants, selectAttachGrant } from './grants.js';

describe('connection grants (admission-and-http §3)', () => {
  it('reads each grant type, in either casing, with purpose node.attach by default', () => {
    const [ws, http, inPage, broadcast] = parseConnectionGrants([
      { type: 'WebSocketConnectionGrant', url: 'ws://h/fame/v1/attach/ws/downstream', auth: { type: 'NoAuth' } },
      { type: 'HttpConnectionGrant', url: 'http://h/fame/v1/ingress/downstream', auth_strategy: { type: 'BearerTokenHeaderAuth' } },
      { type: 'InPageConnectionGrant', channel_name: 'naylence-fabric', inbox_capacity: 10 },
      { type: 'BroadcastChannelConnectionGrant', channelName: 'bc', purpose: 'node.attach' },
    ]);
    expect(ws).toMatchObject({ purpose: NODE_ATTACH_PURPOSE, url: 'ws://h/fame/v1/attach/ws/downstream', auth: { type: 'NoAuth' } });
    expect(http).toMatchObject({ purpose: NODE_ATTACH_PURPOSE, auth: { type: 'BearerTokenHeaderAuth' } });
    expect(inPage).toMatchObject({ purpose: NODE_ATTACH_PURPOSE, channelName: 'naylence-fabric', raw: { inbox_capacity: 10 } });
    expect(broadcast).toMatchObject({ channelName: 'bc' });
  });

  it('keeps extra members and unknown grant types; an unknown type without purpose is never an attach grant', () => {
    const grants = parseConnectionGrants([
      { type: 'CustomGrant', url: 'x://y' },
      { type: 'HttpConnectionGrant', purpose: 'ca_sign', url: 'https://ca/sign' },
      { type: 'WebSocketConnectionGrant', url: 'ws://h/a', ttl: 0, durable: false },
    ]);
    expect(grants[0]!.purpose).toBe('');
    expect(grants[2]!.raw).toMatchObject({ ttl: 0, durable: false });
    expect(selectAttachGrant(grants, ['CustomGrant', 'HttpConnectionGrant'])).toBeUndefined();
    expect(selectAttachGrant(grants, ['HttpConnectionGrant', 'WebSocketConnectionGrant'])).toBe(grants[2]);
  });

  it('refuses what is not a grant', () => {
    expect(() => parseConnectionGrant('x')).toThrow(/expected an object/);
    expect(() => parseConnectionGrant({ url: 'ws://h' })).toThrow(/needs a type/);
    expect(() => parseConnectionGrant({ type: 'HttpConnectionGrant' })).toThrow(/needs a url/);
    expect(() => parseConnectionGrant({ type: 'WebSocketConnectionGrant', url: 5 })).toThrow(/url must be a string/);
    expect(() => parseConnectionGrant({ type: 'WebSocketConnectionGrant', auth: 'NoAuth' })).toThrow(/auth must be an object/);
    expect(() => parseConnectionGrants({})).toThrow(/expected an array/);
  });
});
