import { createEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { OrderedInbox, type Arrival } from './inbox.js';

function message(n: number): Arrival {
  return { kind: 'message', message: new Uint8Array([n]), bytes: 1 };
}

function inbox(room = 100, maxHeld = 4) {
  const delivered: number[] = [];
  let queued = 0;
  const box = new OrderedInbox(
    {
      hasRoom: () => queued < room,
      deliver: (arrival) => {
        queued++;
        delivered.push(arrival.kind === 'message' ? arrival.message[0]! : -1);
      },
    },
    maxHeld,
  );
  return { box, delivered, drain: () => (queued = 0) };
}

describe('OrderedInbox', () => {
  it('delivers numbered requests in order, holding early ones and dropping duplicates', () => {
    const { box, delivered } = inbox();
    expect(box.offer(1, message(1))).toBe('accepted');
    expect(box.offer(2, message(2))).toBe('accepted');
    expect(delivered).toEqual([]);
    expect(box.offer(0, message(0))).toBe('accepted');
    expect(delivered).toEqual([0, 1, 2]);
    expect(box.offer(1, message(1))).toBe('duplicate');
    expect(box.offer(4, message(4))).toBe('accepted');
    expect(box.offer(4, message(4))).toBe('duplicate');
    expect(box.offer(3, { kind: 'close', code: 1000, reason: '' })).toBe('accepted');
    expect(delivered).toEqual([0, 1, 2, -1, 4]);
  });

  it('keeps only the bytes of a request it holds, not the envelope decoded from it', () => {
    const seen: Arrival[] = [];
    const box = new OrderedInbox({ hasRoom: () => true, deliver: (arrival) => void seen.push(arrival) }, 4);
    const envelope = createEnvelope({ to: 'x@y', frame: { type: 'Data', payload: 1 } });
    box.offer(1, { kind: 'message', message: new Uint8Array([1]), bytes: 1, envelope });
    box.offer(0, { kind: 'message', message: new Uint8Array([0]), bytes: 1, envelope });
    expect(seen.map((a) => (a.kind === 'message' ? [a.message[0], a.envelope] : a))).toEqual([
      [0, envelope],
      [1, undefined],
    ]);
  });

  it('answers busy past the receive queue and past the hold limit, and takes the retry later', () => {
    const { box, delivered, drain } = inbox(2, 2);
    expect(box.offer(0, message(0))).toBe('accepted');
    expect(box.offer(1, message(1))).toBe('accepted');
    expect(box.offer(2, message(2))).toBe('busy');
    expect(box.offer(3, message(3))).toBe('busy');
    drain();
    expect(box.offer(3, message(3))).toBe('accepted');
    expect(box.offer(4, message(4))).toBe('accepted');
    expect(box.offer(5, message(5))).toBe('busy');
    expect(box.offer(2, message(2))).toBe('accepted');
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
  });

  it('delivers unnumbered requests (reference senders) as they come', () => {
    const { box, delivered } = inbox(1);
    expect(box.offer(undefined, message(7))).toBe('accepted');
    expect(box.offer(undefined, message(8))).toBe('busy');
    expect(delivered).toEqual([7]);
  });
});
