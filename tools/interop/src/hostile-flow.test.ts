/**
 * Hostile and broken peers against our sentinel's flow control over real sockets: a stuck
 * consumer never freezes anyone else and is closed as a slow consumer; peer-created flow state
 * stays bounded; a routing loop without `ttl` dies.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEnvelope, encodeEnvelope, randomId, ResponseType } from '@naylence/core';
import type { DetachInfo } from '@naylence/fabric';
import { neighbourOf, RecordingLogger } from '@naylence/fabric/testing';
import { describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { connectOurNode, eventually, startOurAgent, startOurSentinel } from './ours.js';
import { RawClient } from './raw-ws.js';

const until = (predicate: () => boolean, what: string, timeoutMs = 20_000) =>
  eventually(() => (predicate() ? Promise.resolve() : Promise.reject(new Error(`still waiting for ${what}`))), {
    timeoutMs,
    intervalMs: 20,
  });

describe('hostile peers: one stuck consumer never freezes anyone else', () => {
  /** A sentinel with an agent, a consumer that takes nothing (it keeps heartbeating), a producer and a bystander. */
  async function stuckConsumer(slowConsumerMs: number, logger = new RecordingLogger()) {
    const sentinel = await startOurSentinel({
      id: uniqueId('hub'),
      logger,
      sentinel: { slowConsumerMs },
      link: { maxQueuedEnvelopes: 256 },
    });
    const agent = await startOurAgent(sentinel.url, { id: uniqueId('agent') });
    const detached: DetachInfo[] = [];
    const consumer = await connectOurNode(sentinel.url, {
      id: uniqueId('stuck'),
      reconnect: { initialDelayMs: 60_000 },
      hooks: [{ onDetached: (info) => detached.push(info) }],
    });
    await consumer.subscribe('stuck@fame.fabric', () => new Promise(() => {}));
    await consumer.serve('stuckrpc@fame.fabric', { call: () => new Promise(() => {}) });
    const producer = await connectOurNode(sentinel.url, { id: uniqueId('producer') });
    const bystander = await connectOurNode(sentinel.url, { id: uniqueId('bystander') });
    let stop = false;
    const blast = (async () => {
      while (!stop) {
        for (let i = 0; i < 50; i++) producer.send('stuck@fame.fabric', { i }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    return {
      sentinel,
      agent,
      consumer,
      producer,
      bystander,
      detached,
      logger,
      async [Symbol.asyncDispose]() {
        stop = true;
        await blast;
        for (const node of [bystander, producer, consumer, agent]) await node.stop();
        await sentinel.stop();
      },
    };
  }

  it('keeps the producer’s and a bystander’s calls flowing while a consumer is stuck, and NACKs BACK_PRESSURE at once', async () => {
    await using t = await stuckConsumer(0); // never closed here: the stall lasts as long as the test
    await until(() => t.sentinel.sentinel.metrics.backPressureRefusals > 0, 'the stuck consumer’s queue to fill');
    // its queue is full: a call to it is refused at once, not left to time out
    await expect(t.producer.invoke('stuckrpc@fame.fabric', 'call', {}, { timeoutMs: 60_000 })).rejects.toMatchObject({
      code: 'BACK_PRESSURE',
    });
    // while it is stuck, the producer's other calls and a bystander's complete
    for (let i = 0; i < 20; i++) {
      expect(await t.producer.invoke('math@fame.fabric', 'add', { x: i, y: 1 }, { timeoutMs: 60_000 })).toBe(i + 1);
      expect(await t.bystander.invoke('math@fame.fabric', 'add', { x: i, y: 2 }, { timeoutMs: 60_000 })).toBe(i + 2);
    }
    expect(t.consumer.node.isAttached).toBe(true);
    expect(t.sentinel.sentinel.metrics.slowConsumerCloses).toBe(0);
    // thousands of refusals, a handful of log lines (rate-limited with a count), none of them long
    await until(() => t.sentinel.sentinel.metrics.backPressureRefusals >= 5_000, '5,000 refusals');
    const lines = t.logger.entries.map((e) => JSON.stringify({ ...e.bindings, ...e.fields, msg: e.message }));
    expect(lines.length).toBeLessThan(60);
    for (const line of lines) expect(line.length).toBeLessThan(600);
  }, 90_000);

  it('closes a stuck consumer as a slow consumer once its queue stays full past the deadline (1008, log line, metric)', async () => {
    await using t = await stuckConsumer(500);
    await until(() => t.detached.length > 0, 'the slow consumer to be closed');
    expect(t.detached[0]).toEqual({ code: 1008, reason: 'slow consumer' });
    expect(t.sentinel.sentinel.metrics.slowConsumerCloses).toBe(1);
    expect(t.logger.find('warn', /slow consumer/)?.fields).toMatchObject({ why: 'queue full', closeCode: 1008 });
    expect(await t.bystander.invoke('math@fame.fabric', 'whoami')).toBe(t.agent.node.systemId);
  }, 90_000);

  it('closes a consumer that stops reading its socket, once the sentinel’s writes stall past the deadline', async () => {
    const logger = new RecordingLogger();
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), logger, sentinel: { slowConsumerMs: 1_000 } });
    await using sink = new RawClient(sentinel.url);
    await sink.attach();
    await sink.bind('sink@fame.fabric');
    sink.keep = false;
    sink.ws.pause(); // reads nothing more: the sentinel's socket writes back up
    await using producer = new RawClient(sentinel.url);
    await producer.attach();
    producer.keep = false;
    const payload = 'x'.repeat(16 * 1024);
    let n = 0;
    // every envelope on a fresh flow: credit never runs out, only the socket stops taking bytes
    const timer = setInterval(() => {
      for (let i = 0; i < 20; i++) producer.send({ to: 'sink@fame.fabric', flowId: `f${n++}`, frame: { type: 'Data', payload } });
    }, 5);
    try {
      await until(() => sentinel.sentinel.metrics.slowConsumerCloses === 1, 'the stalled link to be closed');
    } finally {
      clearInterval(timer);
    }
    expect(logger.find('warn', /slow consumer/)?.fields).toMatchObject({ why: 'writes stalled', peer: sink.systemId });
    await until(() => !sentinel.sentinel.linkedSystemIds.includes(sink.systemId), 'the link to be gone');
    expect(sentinel.sentinel.linkedSystemIds).toContain(producer.systemId);
  });
});

describe('hostile peers: bounded per-link state', () => {
  it('keeps flow state bounded while a peer sends 1,000,000 envelopes with distinct flow ids', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using sink = new RawClient(sentinel.url);
    await sink.attach();
    await sink.bind('sink@fame.fabric');
    sink.keep = false;
    const base = sink.received;
    await using flooder = new RawClient(sentinel.url);
    await flooder.attach();
    flooder.keep = false;
    const sinkLink = neighbourOf(sentinel.sentinel, sink.systemId)!.link;
    const flooderLink = neighbourOf(sentinel.sentinel, flooder.systemId)!.link;

    const total = 1_000_000;
    const batch = 4_000; // below the sentinel's queue bound, so nothing is refused
    const template = createEnvelope({ to: 'sink@fame.fabric', frame: { type: 'Data', payload: 1 } });
    let waiting: { count: number; resolve: () => void } | undefined;
    sink.ws.on('message', () => {
      if (waiting !== undefined && sink.received - base >= waiting.count) waiting.resolve();
    });
    const send = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) flooder.ws.send(encodeEnvelope({ ...template, id: `m${i}`, flowId: `f${i}`, seqId: 0 }));
      await new Promise<void>((resolve) => (waiting = { count: from + count, resolve }));
    };
    await send(0, batch); // warm-up: maps at their bound, code paths compiled
    gc();
    const before = process.memoryUsage().heapUsed;
    let peakFlows = 0;
    for (let sent = batch; sent < total; sent += batch) {
      await send(sent, batch);
      peakFlows = Math.max(peakFlows, sinkLink.flowCounts.send, flooderLink.flowCounts.receive);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(sink.received - base).toBe(total);
    expect(sentinel.sentinel.metrics.backPressureRefusals).toBe(0);
    expect(peakFlows).toBeLessThanOrEqual(4096);
    // 980,000 flows more would be >100 MB of flow state; bounded, the heap does not grow with them
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  }, 180_000);

  it('kills a routing loop of envelopes without ttl after the default hop limit', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), sentinel: {} });
    // two misbehaving children in one pool, each sending back whatever it receives
    const echoes = [new RawClient(sentinel.url), new RawClient(sentinel.url)];
    try {
      for (const echo of echoes) {
        await echo.attach();
        await echo.bind('loop@*.loop.example');
        echo.ws.on('message', (data: Buffer) => echo.ws.send(data));
      }
      const first = echoes[0]!;
      const looped = () => echoes.flatMap((e) => e.envelopes).filter((e) => e.id === start.id);
      const start = first.send({ to: 'loop@x.loop.example', frame: { type: 'Data', payload: 'round and round' } });
      await until(() => sentinel.sentinel.metrics.ttlExpired === 1, 'the loop to die');
      const hops = looped().length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(looped()).toHaveLength(hops); // nothing more goes round
      expect(hops).toBe(32); // the default hop limit
      expect(
        looped()
          .map((e) => e.ttl)
          .sort((a, b) => b! - a!),
      ).toEqual(Array.from({ length: 32 }, (_, i) => 31 - i));
    } finally {
      for (const echo of echoes) await echo[Symbol.asyncDispose]();
    }
  });
});

describe('hostile peers: undecodable and oversized envelopes', () => {
  it('closes a link that sends garbage (1007) with a bounded, rate-limited log', async () => {
    const logger = new RecordingLogger();
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), logger });
    await using raw = new RawClient(sentinel.url);
    await raw.attach();
    const junk = `not json ${'\u0007x'.repeat(2_000)}`;
    const unknown = JSON.stringify({ id: randomId(), frame: { type: `Bogus${'y'.repeat(5_000)}` } });
    for (let i = 0; i < 10_000 && raw.ws.readyState === raw.ws.OPEN; i++) raw.sendRaw(i % 2 === 0 ? junk : unknown);
    expect(await raw.closed).toEqual({ code: 1007, reason: 'too many invalid envelopes' });
    expect(sentinel.sentinel.metrics.invalidEnvelopeCloses).toBe(1);
    const lines = logger.entries.map((e) => JSON.stringify({ ...e.bindings, ...e.fields, msg: e.message }));
    expect(lines.length).toBeLessThan(30);
    for (const line of lines) expect(line.length).toBeLessThan(600);
  });

  it('NACKs an envelope over the size limit when it can be answered, else closes 1009', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using raw = new RawClient(sentinel.url);
    const ack = await raw.attach();
    const big = 'x'.repeat(300 * 1024); // over the 256 KiB envelope limit, under the 1 MiB frame limit
    const request = createEnvelope({
      to: 'math@fame.fabric',
      replyTo: `inbox@${(ack.frame as { assignedPath: string }).assignedPath}`,
      rtype: ResponseType.REPLY,
      corrId: randomId(),
      frame: { type: 'Data', payload: big },
    });
    raw.sendRaw(JSON.stringify(request));
    const nack = await raw.next((e) => e.corrId === request.corrId);
    expect(nack.frame).toMatchObject({ type: 'DeliveryAck', ok: false, code: 'MESSAGE_TOO_LARGE' });
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    raw.sendRaw(JSON.stringify(createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: big } })));
    expect(await raw.closed).toEqual({ code: 1009, reason: 'envelope too large' });
    expect(sentinel.sentinel.metrics.oversizedEnvelopes).toBe(2);
  });
});
