import { createEnvelope, createReply, NOOP_LOGGER, randomId, ResponseType, type FameEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { FameNode } from '../node/node.js';
import type { NodeOptions } from '../node/node-options.js';
import { neighbourOf, upstreamLinkOf } from '../testing/internals.js';
import { until } from '../testing/support.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import { Sentinel } from './sentinel.js';

async function topology() {
  const net = new MemoryNetwork();
  const sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
  await sentinel.start();
  const nodes: FameNode[] = [sentinel];
  const node = async (options: NodeOptions = {}) => {
    const n = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: net.dialer('hub') }, ...options });
    nodes.push(n);
    await n.start();
    return n;
  };
  return { sentinel, node, [Symbol.asyncDispose]: async () => void (await Promise.all(nodes.reverse().map((n) => n.stop()))) };
}

describe('flow control through a sentinel', () => {
  it('delivers 20,000 envelopes to a slow consumer in order per flow, with bounded sentinel queues', async () => {
    await using t = await topology();
    const consumer = await t.node();
    const producers = [await t.node(), await t.node()];
    const seen = new Map<string, number>();
    let received = 0;
    let outOfOrder = 0;
    // The consumer accepts one envelope per macrotask: much slower than the producers send.
    await consumer.bind('sink@fame.fabric', (env) => {
      const { from, n } = (env.frame as { payload: { from: string; n: number } }).payload;
      if ((seen.get(from) ?? -1) !== n - 1) outOfOrder++;
      seen.set(from, n);
      received++;
      return new Promise((resolve) => setImmediate(resolve));
    });
    let maxQueuedEnvelopes = 0;
    let maxQueuedBytes = 0;
    const sampler = setInterval(() => {
      const q = neighbourOf(t.sentinel, consumer.systemId)!.link.queued;
      maxQueuedEnvelopes = Math.max(maxQueuedEnvelopes, q.envelopes);
      maxQueuedBytes = Math.max(maxQueuedBytes, q.bytes);
    }, 1);
    try {
      await Promise.all(
        producers.map(async (p) => {
          // up to 256 sends in flight per producer; awaiting them is the back-pressure
          const inFlight = new Set<Promise<void>>();
          for (let n = 0; n < 10_000; n++) {
            const sent = p.send(
              createEnvelope({ to: 'sink@fame.fabric', frame: { type: 'Data', payload: { from: p.systemId, n, pad: 'x'.repeat(100) } } }),
            );
            inFlight.add(sent);
            void sent.finally(() => inFlight.delete(sent));
            if (inFlight.size >= 256) await Promise.race(inFlight);
          }
          await Promise.all(inFlight);
        }),
      );
      await until(() => received === 20_000, 60_000, 'all envelopes');
    } finally {
      clearInterval(sampler);
    }
    expect(outOfOrder).toBe(0);
    expect([...seen.values()]).toEqual([9_999, 9_999]);
    // Each producer flow may have at most one window (32) waiting at the sentinel.
    expect(maxQueuedEnvelopes).toBeLessThanOrEqual(2 * 32);
    expect(maxQueuedBytes).toBeLessThanOrEqual(2 * 32 * 700);
  }, 60_000);

  it('does not deadlock with hundreds of concurrent request/reply pairs in both directions', async () => {
    await using t = await topology();
    const [a, b] = [await t.node(), await t.node()];
    // Each handler holds its request's credit until its reply is on the wire: the pattern that
    // deadlocks the reference once ~26 replies queue up on one flow.
    const serve = (node: FameNode) => (env: FameEnvelope) =>
      node.send(createReply(env, { type: 'Data', payload: { pong: (env.frame as { payload: unknown }).payload } }));
    await a.bind('a@fame.fabric', serve(a));
    await b.bind('b@fame.fabric', serve(b));
    const replies = { a: 0, b: 0 };
    await a.bind('replies@/', () => void replies.a++);
    await b.bind('replies@/', () => void replies.b++);
    const fire = (from: FameNode, to: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          from.send(
            createEnvelope({
              to,
              replyTo: `replies@${from.physicalPath}`,
              rtype: ResponseType.REPLY,
              corrId: randomId(),
              frame: { type: 'Data', payload: i },
            }),
          ),
        ),
      );
    await Promise.all([fire(a, 'b@fame.fabric', 300), fire(b, 'a@fame.fabric', 300)]);
    await until(() => replies.a === 300 && replies.b === 300, 20_000, 'all replies');
  });

  it('acknowledges a burst of back-to-back heartbeats (the reference stalls after ~26)', async () => {
    await using t = await topology();
    let acks = 0;
    const n = await t.node({ hooks: [{ onEnvelopeReceived: (e) => void (e.frame.type === 'NodeHeartbeatAck' && acks++) }] });
    const link = upstreamLinkOf(n)!;
    await Promise.all(
      Array.from({ length: 200 }, () => link.send(createEnvelope({ corrId: randomId(), frame: { type: 'NodeHeartbeat' } }))),
    );
    await until(() => acks === 200, 10_000, '200 heartbeat acks');
  });
});
