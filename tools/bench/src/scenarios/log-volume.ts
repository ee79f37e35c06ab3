import { Writable } from 'node:stream';
import { createEnvelope, encodeEnvelope, randomId, type Logger } from '@naylence/core';
import { createFabric, type Fabric, type Sentinel } from '@naylence/fabric';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import type { Scenario } from '../scenario.js';

/** A pino logger at `info` whose lines are only counted. */
function countingLogger(): { logger: Logger; bytes: () => number; lines: () => number; longest: () => number } {
  let bytes = 0;
  let lines = 0;
  let longest = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.byteLength;
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        lines += 1;
        longest = Math.max(longest, Buffer.byteLength(line));
      }
      done();
    },
  });
  return { logger: pino({ level: 'info', base: null }, sink), bytes: () => bytes, lines: () => lines, longest: () => longest };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sentinel(logger: Logger): Promise<{ fabric: Fabric; url: string }> {
  const fabric = await createFabric({ systemId: `log-hub-${randomId(6)}`, logger, listeners: [new WebSocketListener({ port: 0 })] });
  return { fabric, url: (fabric.node as Sentinel).addresses[0]!.url };
}

/** A raw child that attaches, then sends `count` frames of garbage (half not JSON, half an unknown frame type with a long name). */
async function garbage(url: string, count: number): Promise<void> {
  const id = `garbage-${randomId(6)}`;
  const ws = new WebSocket(`${url}/${id}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.send(
    encodeEnvelope(
      createEnvelope({ corrId: randomId(), frame: { type: 'NodeAttach', originType: 'downstream', systemId: id, instanceId: randomId() } }),
    ),
  );
  const junk = `not json ${'x'.repeat(1_000)}`;
  const unknown = JSON.stringify({ id: randomId(), frame: { type: `Bogus${'y'.repeat(1_000)}` } });
  for (let i = 0; i < count && ws.readyState === WebSocket.OPEN; i++) ws.send(i % 2 === 0 ? junk : unknown);
  await Promise.race([closed, settle(3_000)]);
  ws.terminate();
}

/**
 * Log volume a hostile or broken peer can cause at `info`: 10,000 garbage frames on one link,
 * and a producer that keeps sending to a consumer that stopped taking anything (one-way sends
 * and calls, for a few seconds). Everything (sentinel, consumer, producer) logs to one counting
 * pino logger in this process.
 */
export const logVolumeScenario: Scenario = {
  name: 'log-volume',
  description: 'log bytes at info for 10,000 garbage frames on one link, and for a producer stuck on a stalled consumer',
  async run({ smoke }) {
    const frames = smoke ? 500 : 10_000;
    const stuckMs = smoke ? 500 : 5_000;

    const g = countingLogger();
    const hub = await sentinel(g.logger);
    await garbage(hub.url, frames);
    await settle(200);
    await hub.fabric.stop();

    const s = countingLogger();
    const hub2 = await sentinel(s.logger);
    const dialer = () => new WebSocketDialer({ url: hub2.url });
    const consumer = await createFabric({ systemId: `stalled-${randomId(6)}`, logger: s.logger, connect: dialer() });
    await consumer.subscribe('stuck@fame.fabric', () => new Promise(() => {}));
    await consumer.serve('stuckrpc@fame.fabric', { call: () => new Promise(() => {}) });
    const producer = await createFabric({ systemId: `producer-${randomId(6)}`, logger: s.logger, connect: dialer() });
    let sendErrors = 0;
    let callErrors = 0;
    const deadline = Date.now() + stuckMs;
    const calls: Promise<unknown>[] = [];
    while (Date.now() < deadline) {
      for (let i = 0; i < 100; i++) producer.send('stuck@fame.fabric', { i }).catch(() => void sendErrors++);
      calls.push(producer.invoke('stuckrpc@fame.fabric', 'call', {}, { timeoutMs: 500 }).catch(() => void callErrors++));
      await settle(10);
    }
    await Promise.allSettled(calls);
    await Promise.allSettled([producer.stop(), consumer.stop()]);
    await hub2.fabric.stop();

    const kib = (n: number) => n / 1024;
    return {
      scenario: 'log-volume',
      rows: [
        { label: `log for ${frames} garbage frames`, unit: 'KiB', ours: one(kib(g.bytes())) },
        { label: 'lines for the garbage frames', unit: 'lines', ours: one(g.lines()) },
        { label: 'longest line (garbage)', unit: 'bytes', ours: one(g.longest()) },
        { label: `log for a producer stuck for ${stuckMs} ms`, unit: 'KiB', ours: one(kib(s.bytes())) },
        { label: 'lines for the stuck producer', unit: 'lines', ours: one(s.lines()) },
        { label: 'longest line (stuck producer)', unit: 'bytes', ours: one(s.longest()) },
      ],
      notes: [`stuck producer: ${sendErrors} one-way sends and ${callErrors} calls failed (expected: the consumer takes nothing)`],
    };
  },
};

function one(value: number) {
  return { median: value, min: value, max: value };
}
