import type { Connector } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { Collector, eventLoopTurns } from './collector.js';

/** Two connected, open, **not yet started** connectors: `a` and `b` are the two ends of one link. */
export interface ConnectorPair {
  readonly a: Connector;
  readonly b: Connector;
  /** Releases everything the pair holds (sockets, servers, timers), whatever state it is in. */
  cleanup(): Promise<void>;
}

export interface ConnectorPairFactory {
  /** A fresh pair for one test. */
  createPair(): Promise<ConnectorPair>;
}

export interface ConnectorComplianceOptions {
  /**
   * Most bytes the back-pressure test floods (synchronously, nobody reading on the other end)
   * while waiting for `send()` to return false. A transport whose high-water mark is above it
   * fails the test. Default 64 MiB.
   */
  readonly floodBytes?: number;
  /** Messages sent each way in the burst test. Default 5000. */
  readonly burstCount?: number;
}

const FLOOD_CHUNK = 64 * 1024;
const FLOOD_FILL = 'f'.repeat(FLOOD_CHUNK);
const LARGE_MESSAGE_BYTES = 200 * 1024;
const encoder = new TextEncoder();

/** Flood message `i`: its index, a colon, then filler up to 64 KiB. */
function floodMessage(i: number): string {
  const prefix = `${i}:`;
  return prefix + FLOOD_FILL.slice(prefix.length);
}

/** Index of the first flood message out of place (wrong index or size), or -1. */
function firstMisplaced(messages: readonly string[]): number {
  return messages.findIndex((m, i) => m.length !== FLOOD_CHUNK || !m.startsWith(`${i}:`));
}

/** Printable ASCII text of `bytes` bytes, deterministic and not trivially compressible. */
function largeText(bytes: number, seed: number): string {
  const codes = new Array<number>(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    codes[i] = 33 + ((x >>> 16) % 94);
  }
  let out = '';
  for (let i = 0; i < bytes; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
  return out;
}

/** Asserts that `fn` throws a ConnectorClosedError (checked by code, so any copy of core passes). */
function expectClosedError(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected send() to throw ConnectorClosedError').toMatchObject({ code: 'CONNECTOR_CLOSED' });
}

/**
 * Registers the `Connector` compliance tests (see `@naylence/core` `contracts/connector.ts`)
 * for one transport, as vitest `describe`/`it` blocks. Call it at the top level of a test file.
 *
 * `factory.createPair()` must return two connected, open connectors that nobody has started,
 * and a `cleanup` that releases everything; each test uses a fresh pair and always cleans up.
 *
 * What the suite holds a transport to:
 * - messages arrive whole, once, in order, in both directions, as binary or text; receivers may
 *   hand over either form (the suite compares UTF-8 text, so binary payloads here are UTF-8);
 * - messages that arrive before `start()` are buffered and delivered first, in order; a close
 *   that happens before `start()` is reported by it, after those messages;
 * - bursts of thousands of messages and a 200 KiB message arrive intact and in order;
 * - `drain()` resolves at once when not back-pressured; a synchronous flood towards a peer
 *   that does not read makes `send()` return false before `floodBytes`, `drain()` then
 *   resolves once the peer reads, and a producer honouring it delivers everything in order;
 * - `close(code, reason)` from either end calls `onClose` exactly once on both ends with that
 *   code and reason (`initiator` `local` on the closing end, `remote` on the other), after which
 *   `state` is `closed`, `send()` throws `ConnectorClosedError` (`CONNECTOR_CLOSED`) and
 *   `drain()` rejects with it; `close()` is idempotent and resolves once closed; `close()`
 *   without arguments is a normal closure (1000).
 */
export function connectorComplianceSuite(name: string, factory: ConnectorPairFactory, options: ConnectorComplianceOptions = {}): void {
  const floodBytes = options.floodBytes ?? 64 * 1024 * 1024;
  const burstCount = options.burstCount ?? 5000;

  async function withPair(test: (pair: ConnectorPair) => Promise<void> | void): Promise<void> {
    const pair = await factory.createPair();
    try {
      await test(pair);
    } finally {
      await pair.cleanup();
    }
  }

  describe(`${name}: Connector compliance`, () => {
    it('starts open, with distinct ids and a transport name', async () => {
      await withPair(({ a, b }) => {
        expect(a.state).toBe('open');
        expect(b.state).toBe('open');
        expect(a.id).toBeTypeOf('string');
        expect(a.id).not.toBe('');
        expect(a.id).not.toBe(b.id);
        expect(a.info.transport).not.toBe('');
      });
    });

    it('delivers binary messages in order in both directions', async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        const toB = Array.from({ length: 50 }, (_, i) => `a→b binary ${i} ✓`);
        const toA = Array.from({ length: 50 }, (_, i) => `b→a binary ${i} ✓`);
        for (const m of toB) a.send(encoder.encode(m));
        for (const m of toA) b.send(encoder.encode(m));
        await Promise.all([cb.untilCount(toB.length), ca.untilCount(toA.length)]);
        expect(cb.messages).toEqual(toB);
        expect(ca.messages).toEqual(toA);
      });
    });

    it('delivers string messages in order in both directions', async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        const toB = Array.from({ length: 50 }, (_, i) => JSON.stringify({ n: i, text: 'a→b ünïcødé 🚀' }));
        const toA = Array.from({ length: 50 }, (_, i) => JSON.stringify({ n: i, text: 'b→a' }));
        for (const m of toB) a.send(m);
        for (const m of toA) b.send(m);
        await Promise.all([cb.untilCount(toB.length), ca.untilCount(toA.length)]);
        expect(cb.messages).toEqual(toB);
        expect(ca.messages).toEqual(toA);
      });
    });

    it('buffers messages that arrive before start() and delivers them first, in order', async () => {
      await withPair(async ({ a, b }) => {
        const early = Array.from({ length: 10 }, (_, i) => `early ${i}`);
        early.forEach((m, i) => a.send(i % 2 === 0 ? encoder.encode(m) : m));
        b.send('early from b');
        // Give the messages every chance to reach the unstarted receiver before it starts.
        await eventLoopTurns(20);
        const cb = Collector.start(b, 'b');
        a.send('after start');
        const ca = Collector.start(a, 'a');
        await Promise.all([cb.untilCount(early.length + 1), ca.untilCount(1)]);
        expect(cb.messages).toEqual([...early, 'after start']);
        expect(ca.messages).toEqual(['early from b']);
      });
    });

    it(`delivers a burst of ${burstCount} messages each way in order`, async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        const pad = 'p'.repeat(100);
        // Back-pressure is advisory: a message is queued even when send() returns false.
        for (let i = 0; i < burstCount; i++) {
          a.send(`a${i}:${pad}`);
          b.send(encoder.encode(`b${i}:${pad}`));
        }
        await Promise.all([cb.untilCount(burstCount), ca.untilCount(burstCount)]);
        expect(cb.messages.findIndex((m, i) => m !== `a${i}:${pad}`)).toBe(-1);
        expect(ca.messages.findIndex((m, i) => m !== `b${i}:${pad}`)).toBe(-1);
        expect(cb.messages).toHaveLength(burstCount);
        expect(ca.messages).toHaveLength(burstCount);
      });
    });

    it('round-trips a 200 KiB message (binary one way, text the other)', async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        Collector.start(b, 'b', (text) => b.send(text));
        const text = largeText(LARGE_MESSAGE_BYTES, 7);
        a.send(encoder.encode(text));
        await ca.untilCount(1);
        expect(ca.messages[0]?.length).toBe(LARGE_MESSAGE_BYTES);
        expect(ca.messages[0] === text).toBe(true);
      });
    });

    it('drain() resolves at once when not back-pressured', async () => {
      await withPair(async ({ a, b }) => {
        Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        await a.drain();
        await b.drain();
        expect(a.send('small')).toBe(true);
        await a.drain();
        await cb.untilCount(1);
      });
    });

    it('signals back-pressure under a flood towards a peer that does not read, then drains', async () => {
      await withPair(async ({ a, b }) => {
        Collector.start(a, 'a');
        // b is not started: nothing consumes what a sends.
        let sent = 0;
        let pressured = false;
        while (sent * FLOOD_CHUNK < floodBytes) {
          if (!a.send(floodMessage(sent++))) {
            pressured = true;
            break;
          }
        }
        expect(pressured, `send() never returned false while flooding ${sent} × 64 KiB`).toBe(true);
        const drained = a.drain();
        const cb = Collector.start(b, 'b');
        await drained;
        // A producer that honours back-pressure gets everything through, in order.
        const total = sent + 64;
        while (sent < total) {
          if (!a.send(floodMessage(sent++))) await a.drain();
        }
        await cb.untilCount(total);
        expect(cb.messages).toHaveLength(total);
        expect(firstMisplaced(cb.messages)).toBe(-1);
      });
    });

    for (const side of ['a', 'b'] as const) {
      it(`close(code, reason) from ${side} closes both ends exactly once`, async () => {
        await withPair(async (pair) => {
          const closer = pair[side];
          const other = side === 'a' ? pair.b : pair.a;
          const cc = Collector.start(closer, 'closer');
          const co = Collector.start(other, 'other');
          closer.send('ping');
          other.send('pong');
          await Promise.all([cc.untilCount(1), co.untilCount(1)]);

          const reason = `bye from ${side}`;
          const closing = closer.close(4001, reason);
          expect(['closing', 'closed']).toContain(closer.state);
          expectClosedError(() => closer.send('too late'));
          await closing;
          expect(closer.state).toBe('closed');
          expect(await cc.untilClosed()).toMatchObject({ code: 4001, reason, initiator: 'local' });
          expect(await co.untilClosed()).toMatchObject({ code: 4001, reason, initiator: 'remote' });
          expect(other.state).toBe('closed');

          for (const connector of [closer, other]) {
            expectClosedError(() => connector.send('after close'));
            await expect(connector.drain()).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED' });
          }
          // Idempotent: closing again (either end, any code) changes nothing.
          await closer.close();
          await other.close(4999, 'again');
          await eventLoopTurns(10);
          expect(cc.closes).toHaveLength(1);
          expect(co.closes).toHaveLength(1);
          expect(cc.closes[0]?.code).toBe(4001);
        });
      });
    }

    it('close() is idempotent: concurrent calls share the first close', async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        await Promise.all([a.close(4002, 'first'), a.close(4003, 'second'), a.close()]);
        expect(a.state).toBe('closed');
        expect(await ca.untilClosed()).toMatchObject({ code: 4002, reason: 'first', initiator: 'local' });
        expect(await cb.untilClosed()).toMatchObject({ code: 4002, reason: 'first', initiator: 'remote' });
        await eventLoopTurns(10);
        expect(ca.closes).toHaveLength(1);
        expect(cb.closes).toHaveLength(1);
      });
    });

    it('close() without arguments is a normal closure (1000)', async () => {
      await withPair(async ({ a, b }) => {
        const ca = Collector.start(a, 'a');
        const cb = Collector.start(b, 'b');
        await b.close();
        expect((await cb.untilClosed()).code).toBe(1000);
        expect(await ca.untilClosed()).toMatchObject({ code: 1000, initiator: 'remote' });
      });
    });

    it('a close before start() is reported by start(), after the buffered messages', async () => {
      await withPair(async ({ a, b }) => {
        Collector.start(a, 'a');
        a.send('one');
        a.send(encoder.encode('two'));
        a.send('three');
        await a.close(4004, 'closed early');
        await eventLoopTurns(20);
        const cb = Collector.start(b, 'b');
        await cb.untilClosed();
        expect(cb.events).toEqual([
          { kind: 'message', text: 'one' },
          { kind: 'message', text: 'two' },
          { kind: 'message', text: 'three' },
          { kind: 'close', info: expect.objectContaining({ code: 4004, reason: 'closed early', initiator: 'remote' }) },
        ]);
        expect(b.state).toBe('closed');
      });
    });
  });
}
