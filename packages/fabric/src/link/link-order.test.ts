import {
  ConnectorClosedError,
  createEnvelope,
  EnvelopeRejection,
  FameError,
  NOOP_LOGGER,
  type Connector,
  type FameEnvelope,
  type SecurityStage,
  type StageResult,
  type WireMessage,
} from '@naylence/core';
import { listenerPair } from '@naylence-tools/transport-compliance';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { until } from '../testing/support.js';
import { createMemoryConnectorPair } from '../transport/memory-connector.js';
import { Link } from './link.js';
import { LinkPeer, type LinkStages } from './link-peer.js';
import { data, rawPeer } from './raw-peer.test.util.js';

// Security stages may answer with promises (browsers sign with WebCrypto); a link still sends
// and delivers envelopes in the order they came, whatever order those promises settle in.

type Step = 'sync' | 'async' | 'refuse';

/** A stage whose answer per envelope (by payload) the test chooses; `async` ones wait for `settle`. */
function scriptedStage(plan: Record<number, Step> = {}) {
  const waiting = new Map<number, { resolve: () => void; reject: () => void }>();
  const stage: SecurityStage = (envelope) => {
    const n = payloadOf(envelope);
    const step = plan[n] ?? 'async';
    if (step === 'sync') return envelope;
    if (step === 'refuse') return new EnvelopeRejection('drop', new FameError('INTERNAL_ERROR', `refused ${n}`));
    return new Promise<StageResult>((resolve, reject) =>
      waiting.set(n, { resolve: () => resolve(envelope), reject: () => reject(new Error(`stage failed on ${n}`)) }),
    );
  };
  /** Settles the pending stages of `order`, one after another, each on its own turn. */
  const settle = async (order: number[], fail: number[] = []) => {
    await until(() => order.every((n) => waiting.has(n)), 5_000, `stages of ${order.join(',')} pending`);
    for (const n of order) {
      const pending = waiting.get(n)!;
      waiting.delete(n);
      if (fail.includes(n)) pending.reject();
      else pending.resolve();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { stage, settle, waiting };
}

const payloadOf = (envelope: FameEnvelope) => (envelope.frame as { payload: number }).payload;
const node = { systemId: 'me', physicalPath: '/me', sid: undefined };
const stagesOf = (stage: Partial<Pick<LinkStages, 'inbound' | 'outbound'>>): LinkStages => ({
  node,
  inbound: stage.inbound,
  outbound: stage.outbound,
});

interface Pair {
  a: Connector;
  b: Connector;
  cleanup(): Promise<void>;
}

const transports: [string, () => Promise<Pair>][] = [
  [
    'in memory',
    async () => {
      const [a, b] = createMemoryConnectorPair();
      return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  ],
  [
    'over WebSocket',
    () =>
      listenerPair(new WebSocketListener({ host: '127.0.0.1' }), ({ url }) =>
        new WebSocketDialer({ url }).dial({ systemId: 'child', originType: 'downstream' }),
      ),
  ],
];

/** Link `sender` on one end, link `receiver` on the other; `received` lists payloads in arrival order. */
async function linked(pair: () => Promise<Pair>, stages: { outbound?: SecurityStage; inbound?: SecurityStage }) {
  const { a, b, cleanup } = await pair();
  const received: number[] = [];
  const handler = (onEnvelope: (e: FameEnvelope) => void) => ({
    onEnvelope,
    onRejected: () => undefined,
    onClose: () => undefined,
  });
  const sender = new Link(
    a,
    new LinkPeer('upstream', 'b', undefined),
    handler(() => undefined),
    {
      logger: NOOP_LOGGER,
      stages: stagesOf({ outbound: stages.outbound }),
    },
  );
  const receiver = new Link(
    b,
    new LinkPeer('downstream', 'a', undefined),
    handler((e) => void received.push(payloadOf(e))),
    {
      logger: NOOP_LOGGER,
      stages: stagesOf({ inbound: stages.inbound }),
    },
  );
  sender.start();
  receiver.start();
  return { sender, receiver, received, [Symbol.asyncDispose]: cleanup };
}

describe.each(transports)('Link keeps envelope order under asynchronous stages, %s', (_name, pair) => {
  it('sends in send order when the outbound stage settles in reverse', async () => {
    const { stage, settle } = scriptedStage();
    await using t = await linked(pair, { outbound: stage });
    const sends = [0, 1, 2, 3, 4].map((n) => t.sender.send(data(n)));
    await settle([4, 3, 2, 1, 0]);
    await Promise.all(sends);
    await until(() => t.received.length === 5);
    expect(t.received).toEqual([0, 1, 2, 3, 4]);
  });

  it('holds Data only behind Data to the same address, and never holds other frames', async () => {
    // A stage waiting for a channel handshake or a key must let the SecureOpen / KeyRequest it
    // waits for, and traffic to other addresses, go past it.
    const { stage, settle } = scriptedStage({ 1: 'sync', 2: 'sync' });
    const control = createEnvelope({ to: 'x@y', frame: { type: 'KeyRequest', kid: 'k1' } });
    await using t = await linked(pair, { outbound: (e, c) => (e.frame.type === 'Data' ? stage(e, c) : e) });
    const first = t.sender.send(data(0));
    await t.sender.send(data(1, { to: 'other@y' }));
    await t.sender.send(control);
    await t.sender.send(data(2, { to: 'other@y' }));
    await until(() => t.received.length === 3);
    expect(t.received.filter((n) => n !== undefined)).toEqual([1, 2]);
    await settle([0]);
    await first;
    await until(() => t.received.length === 4);
    expect(t.received.at(-1)).toBe(0);
  });

  it('keeps a synchronous result behind a pending asynchronous one, outbound', async () => {
    const { stage, settle } = scriptedStage({ 1: 'sync', 3: 'sync', 4: 'sync' });
    await using t = await linked(pair, { outbound: stage });
    const sends = [0, 1, 2, 3, 4].map((n) => t.sender.send(data(n)));
    await settle([2, 0]);
    await Promise.all(sends);
    await until(() => t.received.length === 5);
    expect(t.received).toEqual([0, 1, 2, 3, 4]);
  });

  it('hands envelopes to the handler in arrival order when the inbound stage settles in reverse, mixed with sync ones', async () => {
    const { stage, settle } = scriptedStage({ 2: 'sync', 5: 'sync' });
    await using t = await linked(pair, { inbound: stage });
    await Promise.all([0, 1, 2, 3, 4, 5].map((n) => t.sender.send(data(n))));
    await settle([4, 3, 1, 0]);
    await until(() => t.received.length === 6);
    expect(t.received).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('does not stall the envelopes behind a failed or refused one', async () => {
    const out = scriptedStage({ 2: 'refuse', 3: 'sync' });
    const inb = scriptedStage({ 0: 'sync', 2: 'sync', 4: 'sync' });
    await using t = await linked(pair, { outbound: out.stage, inbound: inb.stage });
    const settled = Promise.allSettled([0, 1, 2, 3, 4].map((n) => t.sender.send(data(n))));
    await out.settle([4, 1, 0], [1]);
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INTERNAL_ERROR', message: /stage failed on 1/ });
    await inb.settle([3], [3]);
    await until(() => t.received.length === 2);
    expect(t.received).toEqual([0, 4]);
  });
});

describe('Link stage ordering: fast path, credits and close', () => {
  it('goes back to handing envelopes over synchronously once nothing is pending', async () => {
    const { stage, settle } = scriptedStage({ 1: 'sync', 2: 'sync' });
    const { link, wire } = rawPeer(undefined, { stages: stagesOf({ outbound: stage }) });
    const handed: WireMessage[] = [];
    const send = link.connector.send.bind(link.connector);
    link.connector.send = (m) => (handed.push(m), send(m));
    const sends = [0, 1].map((n) => link.send(data(n)));
    expect(handed).toHaveLength(0); // 1 waits behind 0
    await settle([0]);
    await Promise.all(sends);
    expect(handed).toHaveLength(2);
    void link.send(data(2));
    expect(handed).toHaveLength(3); // no pending stage: handed over within `send`
    await until(() => wire.length === 3);
    expect(wire.map(payloadOf)).toEqual([0, 1, 2]);
  });

  it('grants credits for envelopes that waited for the inbound stage', async () => {
    const { stage, settle } = scriptedStage();
    const { wire, inject } = rawPeer(undefined, { stages: stagesOf({ inbound: stage }) });
    const order = Array.from({ length: 24 }, (_, i) => i);
    for (const n of order) inject(data(n, { flowId: 'F', seqId: n, flowFlags: n === 0 ? 1 : 0 }));
    await settle([...order].reverse());
    await until(() => wire.length === 1);
    expect(wire[0]!.frame).toMatchObject({ type: 'CreditUpdate', flowId: 'F', credits: 24 });
  });

  it('fails sends waiting behind a pending stage with CONNECTOR_CLOSED when the link closes, and sends nothing after', async () => {
    const { stage, settle, waiting } = scriptedStage({ 1: 'sync' });
    const { link, wire, theirs } = rawPeer(undefined, { stages: stagesOf({ outbound: stage }) });
    const settled = Promise.allSettled([0, 1, 2].map((n) => link.send(data(n))));
    await until(() => waiting.size === 2);
    await theirs.close(1000, 'bye');
    await until(() => !link.isOpen);
    // none of the stages settled: the sends fail anyway
    const results = await settled;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConnectorClosedError);
    }
    await settle([2, 0]);
    expect(wire).toHaveLength(0);
    await expect(link.send(data(3))).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED' });
  });
});
