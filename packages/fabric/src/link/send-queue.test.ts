import type { FameEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { until } from '../testing/support.js';
import type { WatchedLink } from './link-peer.js';
import { data, rawPeer } from './raw-peer.test.util.js';

const payloads = (wire: FameEnvelope[]) =>
  wire.filter((e) => e.frame.type === 'Data').map((e) => (e.frame as { payload: unknown }).payload);

describe('Link send queue: no head-of-line blocking', () => {
  it('sends queued responses before queued requests, and never refuses a response because requests filled the queue', async () => {
    // a transport that is full after every message: everything waits for it to drain
    const { link, wire } = rawPeer(undefined, { maxQueuedEnvelopes: 8 }, { highWaterMark: 1 });
    const requests = Array.from({ length: 9 }, (_, i) => link.send(data(i))); // 1 out, 8 wait: full
    await expect(link.send(data(99))).rejects.toMatchObject({ code: 'BACK_PRESSURE' });
    const replies = Array.from({ length: 3 }, (_, i) => link.send(data(100 + i), { lane: 'reply' }));
    expect(link.queued).toMatchObject({ envelopes: 11, responses: 3 });
    await Promise.all([...requests, ...replies]);
    await until(() => wire.length === 12);
    expect(payloads(wire)).toEqual([0, 100, 101, 102, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reports a full queue as a stall until it drains below half', async () => {
    const updates: number[] = [];
    const watch = { update: (l: WatchedLink) => void updates.push(l.stalledSince) };
    const { link, credit } = rawPeer(undefined, { maxQueuedEnvelopes: 4, watch });
    for (let i = 0; i < 36; i++) void link.send(data(i));
    await expect(link.send(data(99))).rejects.toMatchObject({ code: 'BACK_PRESSURE' });
    expect(link.stalledSince).toBeGreaterThan(0);
    expect(link.stallReason).toBe('queue full');
    credit(link.flowId);
    await until(() => link.stalledSince === 0);
    expect(updates.map((t) => t > 0)).toEqual([true, false]);
  });

  it('forgets idle flows past maxFlows, however many flow ids a peer makes up', async () => {
    const { link } = rawPeer(undefined, { maxFlows: 64 });
    for (let i = 0; i < 10_000; i++) await link.send(data(i, { flowId: `f${i}` }));
    expect(link.flowCounts.send).toBeLessThanOrEqual(64);
    // a forgotten flow starts over: SYN and a full window
    await link.send(data(0, { flowId: 'f0' }));
  });

  it('keeps receive counters bounded too, returning the credit owed to a forgotten flow', async () => {
    const { link, wire, inject } = rawPeer(undefined, { maxFlows: 16 });
    for (let i = 0; i < 100; i++) inject(data(i, { flowId: `f${i}` }));
    await until(() => wire.length === 100 - 16);
    expect(link.flowCounts.receive).toBe(16);
    expect(wire.every((e) => e.frame.type === 'CreditUpdate' && (e.frame as { credits: number }).credits === 1)).toBe(true);
  });

  it('paces a flow that carries one call (a stream), not a shared flow', async () => {
    const { link } = rawPeer();
    const stream = (i: number) => data(i, { flowId: 'S', corrId: 'call-1' });
    for (let i = 0; i < 32; i++) void link.send(stream(i));
    void link.send(stream(32)); // waits for credit
    expect(link.paces(stream(33))).toBe(true);
    const shared = (i: number) => data(i, { flowId: 'F', corrId: `call-${i}` });
    for (let i = 0; i < 33; i++) void link.send(shared(i));
    expect(link.paces(shared(40))).toBe(false);
    const oneWay = (i: number) => data(i, { flowId: 'O' });
    for (let i = 0; i < 33; i++) void link.send(oneWay(i));
    expect(link.paces(oneWay(40))).toBe(false);
  });
});
