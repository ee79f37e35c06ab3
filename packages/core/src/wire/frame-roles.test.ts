import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../envelope-builders.js';
import { destinationOf, FRAME_ROLES, isResponse, isRoutable } from './frame-roles.js';
import { FRAME_TYPES } from './frames.js';

describe('frame roles: one table for every frame type', () => {
  it('covers every frame of the protocol', () => {
    expect(Object.keys(FRAME_ROLES).sort()).toEqual([...FRAME_TYPES].sort());
  });

  it('routes application and security frames, and KeyRequest by its address', () => {
    const routable = FRAME_TYPES.filter((t) => isRoutable(createEnvelope({ frame: { type: t } as never })));
    expect(routable.sort()).toEqual(['Data', 'DeliveryAck', 'KeyAnnounce', 'KeyRequest', 'SecureAccept', 'SecureClose', 'SecureOpen']);
    expect(destinationOf(createEnvelope({ to: 'x@y', frame: { type: 'KeyRequest', address: 'k@z' } }))).toBe('k@z');
    expect(destinationOf(createEnvelope({ to: 'x@y', frame: { type: 'KeyRequest', kid: 'k' } }))).toBe('x@y');
  });

  it('tells responses from requests', () => {
    const data = (init: { corrId?: string; rtype?: number }) => createEnvelope({ ...init, frame: { type: 'Data', payload: 1 } });
    expect(isResponse(data({ corrId: 'c' }))).toBe(true);
    expect(isResponse(data({ corrId: 'c', rtype: 2 }))).toBe(false);
    expect(isResponse(data({}))).toBe(false);
    expect(isResponse(createEnvelope({ frame: { type: 'AddressBindAck', ok: true, address: 'a@b' } }))).toBe(true);
    expect(isResponse(createEnvelope({ frame: { type: 'DeliveryAck', ok: false } }))).toBe(true);
  });
});
