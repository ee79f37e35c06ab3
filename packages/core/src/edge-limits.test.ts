import { describe, expect, it } from 'vitest';
import { AuthThrottle, ConnectionLimits } from './edge-limits.js';

describe('edge limit bookkeeping', () => {
  it('counts a socket once and releases it on close', () => {
    const limits = new ConnectionLimits(2, 1);
    const sockets = ['a', 'a', 'b', 'c'].map((remoteAddress) => {
      const socket = {
        remoteAddress,
        onClose: undefined as ((this: unknown) => void) | undefined,
        on: (_: 'close', fn: (this: unknown) => void) => void (socket.onClose = fn),
        close: () => socket.onClose?.call(socket),
      };
      return socket;
    });
    expect(limits.admit(sockets[0]!)).toBe(true);
    expect(limits.admit(sockets[0]!)).toBe(true);
    expect(limits.admit(sockets[1]!)).toBe(false); // per address
    expect(limits.admit(sockets[2]!)).toBe(true);
    expect(limits.admit(sockets[3]!)).toBe(false); // total
    sockets[0]!.close();
    expect(limits.admit(sockets[1]!)).toBe(true);
    expect(limits.total).toBe(2);
  });

  it('counts addresses without sockets (links) with tryAdmit and release', () => {
    const limits = new ConnectionLimits(2, 1);
    expect(limits.tryAdmit('a')).toBe(true);
    expect(limits.tryAdmit('a')).toBe(false);
    expect(limits.describe({ remoteAddress: 'a' }, 'links')).toBe('1 links from a');
    expect(limits.tryAdmit('b')).toBe(true);
    expect(limits.tryAdmit('c')).toBe(false);
    expect(limits.describe({ remoteAddress: 'c' }, 'links')).toBe('2 links open');
    limits.release('a');
    expect(limits.tryAdmit('c')).toBe(true);
    expect(limits.refused).toBe(2);
  });

  it('spaces attempts after failures, doubling up to the maximum, serializes parallel ones, forgets after the window', () => {
    const throttle = new AuthThrottle(500, 100, 60_000);
    expect(throttle.delayFor('x', 0)).toBe(0);
    throttle.failed('y', 0);
    expect(throttle.delayFor('y', 10)).toBe(90);
    expect(throttle.delayFor('y', 10)).toBe(190); // a parallel attempt waits for the next slot
    expect(throttle.delayFor('y', 60_001)).toBe(0);
    for (let i = 0; i < 5; i++) throttle.failed('x', 0);
    expect(throttle.delayFor('x', 0)).toBe(500);
    expect(throttle.delayFor('x', 0)).toBe(-1); // would wait past the maximum: refused
    expect(throttle.refused).toBe(1);
  });
});
