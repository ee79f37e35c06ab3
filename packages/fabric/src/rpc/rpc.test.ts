import { NOOP_LOGGER, RpcError, type Dialer } from '@naylence/core';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createFabric, withFabric, type Fabric, type FabricOptions } from '../fabric.js';
import { messageText } from '@naylence-tools/transport-compliance';
import { interceptInbound, until, wrapDialer } from '../testing/support.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import { rpcMethod, type CallContext } from './service.js';

class MathService {
  calls = 0;
  add({ x, y }: { x: number; y: number }): number {
    this.calls++;
    return x + y;
  }
  async *fib({ n }: { n: number }): AsyncGenerator<number> {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) {
      yield a;
      [a, b] = [b, a + b];
    }
  }
  fail({ message }: { message: string }): never {
    throw new Error(message);
  }
  refuse(): never {
    throw new RpcError(-32602, 'x must be a number', { field: 'x' });
  }
  async slow({ ms }: { ms: number }, ctx: CallContext): Promise<string> {
    await new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      });
    });
    return 'done';
  }
}

/** sentinel ← agent (serving math) and ← client, all in memory; stopped when the test ends. */
async function topology(agentOptions: FabricOptions = {}, clientOptions: FabricOptions = {}) {
  const net = new MemoryNetwork();
  const hub = await createFabric({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
  const agent = await createFabric({ logger: NOOP_LOGGER, connect: net.dialer('hub'), ...agentOptions });
  const math = new MathService();
  await agent.serve('math@fame.fabric', math, { capabilities: ['fame.capability.agent', 'math'] });
  const client = await createFabric({ logger: NOOP_LOGGER, connect: net.dialer('hub'), ...clientOptions });
  return {
    net,
    hub,
    agent,
    client,
    math,
    async [Symbol.asyncDispose]() {
      await client.stop();
      await agent.stop();
      await hub.stop();
    },
  };
}

describe('RPC over a sentinel (in-memory links)', () => {
  it('answers a unary call', async () => {
    await using t = await topology();
    expect(await t.client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
  });

  it('accepts the reference agent SDK argument convention ({args, kwargs})', async () => {
    await using t = await topology();
    expect(await t.client.invoke('math@fame.fabric', 'add', { args: [{ x: 5, y: 6 }], kwargs: {} })).toBe(11);
    expect(await t.client.invoke('math@fame.fabric', 'add', { kwargs: { x: 1, y: 1 } })).toBe(2);
  });

  it('propagates handler errors as typed RpcErrors with the reference codes', async () => {
    await using t = await topology();
    await expect(t.client.invoke('math@fame.fabric', 'fail', { message: 'boom' })).rejects.toMatchObject({
      name: 'RpcError',
      code: 'RPC_REMOTE_ERROR',
      rpcCode: -32603,
      rpcMessage: 'boom',
    });
    await expect(t.client.invoke('math@fame.fabric', 'nope')).rejects.toMatchObject({
      code: 'RPC_METHOD_NOT_FOUND',
      rpcCode: -32601,
      rpcMessage: 'Method not found',
    });
    await expect(t.client.invoke('math@fame.fabric', 'refuse')).rejects.toMatchObject({ rpcCode: -32602, data: { field: 'x' } });
  });

  it('fails a call to an unknown address with the sentinel’s NACK', async () => {
    await using t = await topology();
    await expect(t.client.invoke('nobody@fame.fabric', 'x')).rejects.toMatchObject({
      name: 'DeliveryNackError',
      code: 'NO_ROUTE',
      ackCode: 'NO_ROUTE',
      reason: 'Unroutable to nobody@fame.fabric',
    });
  });

  it('invokes by capability', async () => {
    await using t = await topology();
    expect(await t.client.invokeByCapability(['fame.capability.agent', 'math'], 'add', { x: 1, y: 2 })).toBe(3);
    await expect(t.client.invokeByCapability(['telepathy'], 'add', {})).rejects.toMatchObject({ code: 'NO_ROUTE' });
  });

  it('streams results and ends on the terminator', async () => {
    await using t = await topology();
    expect(await t.client.invokeStream<number>('math@fame.fabric', 'fib', { n: 10 }).toArray()).toEqual([0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
    expect(await t.client.invokeStreamByCapability<number>(['math'], 'fib', { n: 3 }).toArray()).toEqual([0, 1, 1]);
  });

  it('streams 10,000 items to a slower consumer with bounded memory', async () => {
    await using t = await topology();
    let produced = 0;
    let maxAhead = 0;
    let consumed = 0;
    await t.agent.serve('numbers@fame.fabric', {
      async *count({ n }: { n: number }) {
        for (let i = 0; i < n; i++) {
          produced++;
          maxAhead = Math.max(maxAhead, produced - consumed);
          yield { i, pad: 'x'.repeat(200) };
        }
      },
    });
    let last = -1;
    for await (const item of t.client.invokeStream<{ i: number }>('numbers@fame.fabric', 'count', { n: 10_000 }, { bufferSize: 16 })) {
      expect(item.i).toBe(last + 1);
      last = item.i;
      consumed++;
      if (consumed % 100 === 0) await new Promise((r) => setTimeout(r, 1)); // slower than the producer
    }
    expect(last).toBe(9_999);
    // producer ahead of the consumer by at most: consumer buffer + a window per hop + one item
    expect(maxAhead).toBeLessThanOrEqual(16 + 3 * 32 + 2);
  });

  it('cancels a stream midway: the producer stops', async () => {
    await using t = await topology();
    let produced = 0;
    let stopped = false;
    await t.agent.serve('ticker@fame.fabric', {
      async *ticks(_: unknown, ctx: CallContext) {
        try {
          for (let i = 0; ; i++) {
            produced = i;
            yield i;
            await new Promise((r) => setTimeout(r, 1));
            if (ctx.signal.aborted) return;
          }
        } finally {
          stopped = true;
        }
      },
    });
    const seen: number[] = [];
    for await (const i of t.client.invokeStream<number>('ticker@fame.fabric', 'ticks')) {
      seen.push(i);
      if (seen.length === 5) break;
    }
    await until(() => stopped, 2_000, 'producer stopped');
    const at = produced;
    await new Promise((r) => setTimeout(r, 50));
    expect(produced).toBe(at);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('cancels with an AbortSignal: unary and stream reject with ABORTED and the callee sees the abort', async () => {
    await using t = await topology();
    const controller = new AbortController();
    const call = t.client.invoke('math@fame.fabric', 'slow', { ms: 10_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    const streamAbort = new AbortController();
    const stream = t.client.invokeStream('math@fame.fabric', 'fib', { n: 1_000_000 }, { signal: streamAbort.signal });
    await stream.next();
    streamAbort.abort();
    await expect(stream.next()).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('times out with a typed error and cancels the callee', async () => {
    await using t = await topology();
    await expect(t.client.invoke('math@fame.fabric', 'slow', { ms: 10_000 }, { timeoutMs: 50 })).rejects.toMatchObject({
      name: 'FameTimeoutError',
      code: 'TIMEOUT',
    });
  });

  it('keeps serving after a burst larger than every queue (callers slow down or get BACK_PRESSURE)', async () => {
    await using t = await topology();
    await t.agent.serve(
      'busy@fame.fabric',
      { work: async () => new Promise((r) => setTimeout(() => r('ok'), 1)) },
      { concurrency: 4, maxQueued: 8 },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 3_000 }, () => t.client.invoke('busy@fame.fabric', 'work', {}, { timeoutMs: 60_000 })),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failures) expect(f.reason).toMatchObject({ code: 'BACK_PRESSURE' });
    expect(results.length - failures.length).toBeGreaterThan(0);
    expect(await t.client.invoke('busy@fame.fabric', 'work')).toBe('ok');
  }, 60_000);

  it('fan-out: every subscriber of a sink gets every message', async () => {
    await using t = await topology();
    const got: unknown[][] = [[], [], []];
    for (const list of got) await t.agent.subscribe('events@fame.fabric', (payload) => void list.push(payload));
    for (let i = 0; i < 5; i++) await t.client.send('events@fame.fabric', { i }, { ack: true });
    await until(() => got.every((l) => l.length === 5));
    expect(got[0]).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }]);
  });

  it('gives a typed proxy: awaited = unary, iterated = stream', async () => {
    await using t = await topology();
    const math = t.client.proxy<MathService>('math@fame.fabric');
    expect(await math.add({ x: 20, y: 22 })).toBe(42);
    const items: number[] = [];
    for await (const n of math.fib({ n: 4 })) items.push(n);
    expect(items).toEqual([0, 1, 1, 2]);
  });

  it('uses wire names from rpcMethod metadata', async () => {
    await using t = await topology();
    await t.agent.serve('named@fame.fabric', { sum: rpcMethod(({ a, b }: { a: number; b: number }) => a + b, { name: 'math.sum' }) });
    expect(await t.client.invoke('named@fame.fabric', 'math.sum', { a: 1, b: 2 })).toBe(3);
  });
});

describe('at-least-once delivery', () => {
  /**
   * Loses the first 2 of every 3 DeliveryAcks for each envelope travelling towards the client.
   * The lost ack still crosses the link (its corrId is garbled so no call matches it): a link
   * never loses envelopes inside a flow, and dropping them below flow control would starve the
   * flow of credit rather than test delivery.
   */
  function lossyAcks(dialer: Dialer): Dialer & { dropped: number } {
    const state = { dropped: 0 };
    const acksPerEnvelope = new Map<string, number>();
    const wrapped = wrapDialer(dialer, (connector) =>
      interceptInbound(connector, (message, deliver) => {
        const m = messageText(message);
        const refId = m.includes('"DeliveryAck"') && m.includes('"ok":true') ? /"refId":"([^"]+)"/.exec(m)?.[1] : undefined;
        if (refId !== undefined) {
          const seen = acksPerEnvelope.get(refId) ?? 0;
          acksPerEnvelope.set(refId, seen + 1);
          if (seen % 3 !== 2) {
            state.dropped++;
            deliver(m.replace(/"corrId":"[^"]+"/, '"corrId":"lost-in-transit"'));
            return;
          }
        }
        deliver(message);
      }),
    );
    return Object.assign(state, wrapped);
  }

  it('handles every message exactly once although 2 of 3 acks are lost', async () => {
    const net = new MemoryNetwork();
    await using hub = await createFabric({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await using receiver = await createFabric({ logger: NOOP_LOGGER, connect: net.dialer('hub') });
    const handled = new Map<number, number>();
    await receiver.subscribe('inbox@fame.fabric', (payload) => {
      const n = (payload as { n: number }).n;
      handled.set(n, (handled.get(n) ?? 0) + 1);
    });
    const lossy = lossyAcks(net.dialer('hub'));
    await using sender = await createFabric({
      logger: NOOP_LOGGER,
      connect: lossy,
      delivery: { mode: 'at-least-once', baseDelayMs: 20, maxDelayMs: 50, jitterMs: 5, maxRetries: 10 },
    });
    await Promise.all(Array.from({ length: 30 }, (_, n) => sender.send('inbox@fame.fabric', { n })));
    expect(lossy.dropped).toBe(60); // every message needed three attempts
    expect([...handled.keys()].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    void hub;
  });

  it('marks requests with the ACK bit and gets its acks from the callee', async () => {
    await using t = await topology({ delivery: 'at-least-once' }, { delivery: 'at-least-once' });
    expect(await t.client.invoke('math@fame.fabric', 'add', { x: 1, y: 1 })).toBe(2);
    expect(t.math.calls).toBe(1);
  });
});

describe('in-process fabric', () => {
  it('serves and calls without any link', async () => {
    await withFabric(async (fabric: Fabric) => {
      await fabric.serve('math', new MathService(), { capabilities: ['math'] });
      expect(await fabric.invoke(`math@${fabric.physicalPath}`, 'add', { x: 1, y: 2 })).toBe(3);
      expect(await fabric.invokeByCapability(['math'], 'add', { x: 2, y: 2 })).toBe(4);
      expect(await fabric.invokeStream('math@' + fabric.physicalPath, 'fib', { n: 5 }).toArray()).toEqual([0, 1, 1, 2, 3]);
      await expect(fabric.invoke('ghost@fame.fabric', 'x')).rejects.toMatchObject({ code: 'NO_ROUTE' });
    });
  });

  it('does not stall concurrent first calls', async () => {
    await using fabric = await createFabric({ logger: NOOP_LOGGER });
    await fabric.serve('math@fame.fabric', new MathService());
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => fabric.invoke('math@fame.fabric', 'add', { x: i, y: 1 })));
    expect(results).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
  });

  it('retains no memory per RPC: heap after 50,000 calls stays within a few MB of the heap after 1,000', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await using fabric = await createFabric({ logger: NOOP_LOGGER });
    await fabric.serve('math@fame.fabric', new MathService());
    const run = async (n: number) => {
      for (let i = 0; i < n; i += 64)
        await Promise.all(Array.from({ length: 64 }, () => fabric.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })));
    };
    const heap = async () => {
      await new Promise((r) => setImmediate(r));
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await run(1_000);
    const after1k = await heap();
    await run(50_000);
    const after50k = await heap();
    expect(after50k - after1k).toBeLessThan(4 * 1024 * 1024);
  }, 60_000);
});
