import {
  BackPressureError,
  ConnectorClosedError,
  decodeEnvelope,
  encodeEnvelope,
  NOOP_LOGGER,
  serializeEnvelope,
  type Connector,
  type FameEnvelope,
  type WireMessage,
} from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { RecordingLogger, until } from '../testing/support.js';
import { createMemoryConnectorPair } from '../transport/memory-connector.js';
import { Link } from './link.js';
import { LinkPeer } from './link-peer.js';
import { data, rawPeer } from './raw-peer.test.util.js';

const peer = () => new LinkPeer('downstream', 'peer', undefined);
const ignoreRejected = () => undefined;

describe('Link flow control (protocol-core §6.1)', () => {
  it('numbers envelopes per flow, flags SYN on the first, and stalls after 32 without credit', async () => {
    const { link, wire, credit } = rawPeer();
    const sends = Array.from({ length: 40 }, (_, i) => link.send(data(i)));
    await until(() => wire.length === 32);
    await new Promise((r) => setTimeout(r, 20));
    expect(wire).toHaveLength(32);
    expect(wire.map((e) => e.seqId)).toEqual([...Array(32).keys()]);
    expect(wire.map((e) => e.flowFlags)).toEqual([1, ...Array(31).fill(0)]);
    expect(new Set(wire.map((e) => e.flowId))).toEqual(new Set([link.flowId]));
    expect(link.queued.envelopes).toBe(8);
    credit(link.flowId);
    await Promise.all(sends);
    await until(() => wire.length === 40);
    expect(wire.map((e) => (e.frame as { payload: number }).payload)).toEqual([...Array(40).keys()]);
  });

  it('keeps flows independent: a stalled flow does not hold back another', async () => {
    const { link, wire } = rawPeer();
    for (let i = 0; i < 40; i++) void link.send(data(i));
    await link.send(data(99, { flowId: 'other' }));
    await until(() => wire.some((e) => e.flowId === 'other'));
    expect(wire.find((e) => e.flowId === 'other')).toMatchObject({ seqId: 0, flowFlags: 1 });
  });

  it('sends replies on their own flow', async () => {
    const { link, wire } = rawPeer();
    await link.send(data(1), { lane: 'reply' });
    await link.send(data(2));
    await until(() => wire.length === 2);
    expect(wire[0]!.flowId).toBe(link.replyFlowId);
    expect(wire[1]!.flowId).toBe(link.flowId);
    expect(link.replyFlowId).not.toBe(link.flowId);
  });

  it('keeps a forwarded envelope’s flowId', async () => {
    const { link, wire } = rawPeer();
    await link.send(data(1, { flowId: 'origin-flow', seqId: 17, flowFlags: 1 }));
    await until(() => wire.length === 1);
    expect(wire[0]).toMatchObject({ flowId: 'origin-flow', seqId: 0, flowFlags: 1 });
  });

  it('grants credits after every 24 accepted envelopes of a flow, with the reference envelope shape', async () => {
    const { wire, inject } = rawPeer();
    for (let i = 0; i < 48; i++) inject(data(i, { flowId: 'F', seqId: i, flowFlags: i === 0 ? 1 : 0 }));
    await until(() => wire.length === 2);
    const [update] = wire;
    // exactly what was accepted (the reference grants 32 here, which lets backlogs grow)
    expect(update).toMatchObject({ flowId: 'F', seqId: 0, flowFlags: 2, frame: { type: 'CreditUpdate', flowId: 'F', credits: 24 } });
    expect(update!.sid).toBeUndefined();
    expect(Object.keys(update!)).toEqual(['version', 'id', 'traceId', 'flowId', 'seqId', 'flowFlags', 'frame', 'ts']);
  });

  it('holds credit until the handler accepts (back-pressure to the sender)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { wire, inject } = rawPeer(() => gate);
    for (let i = 0; i < 30; i++) inject(data(i, { flowId: 'F' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(wire).toHaveLength(0);
    release();
    await until(() => wire.length === 1);
    expect(wire[0]!.frame.type).toBe('CreditUpdate');
  });

  it('applies CreditUpdates the moment they arrive, even while the handler holds everything else', async () => {
    const { link, wire, credit } = rawPeer(() => new Promise(() => undefined)); // never accepts
    const sends = Array.from({ length: 64 }, (_, i) => link.send(data(i)));
    await until(() => wire.length === 32);
    credit(link.flowId);
    await Promise.all(sends);
    await until(() => wire.length === 64);
  });

  it('tops up credit when a sender resets a flow', async () => {
    const { wire, inject } = rawPeer();
    for (let i = 0; i < 10; i++) inject(data(i, { flowId: 'F' }));
    inject(data(10, { flowId: 'F', flowFlags: 4 }));
    await until(() => wire.length === 1);
    expect(wire[0]!.frame).toMatchObject({ type: 'CreditUpdate', flowId: 'F', credits: 11 });
  });

  it('fails sends past the queue bound with BACK_PRESSURE and keeps earlier ones', async () => {
    const { link, wire, credit } = rawPeer(undefined, { maxQueuedEnvelopes: 10 });
    const ok = Array.from({ length: 42 }, (_, i) => link.send(data(i)));
    await expect(link.send(data(99))).rejects.toBeInstanceOf(BackPressureError);
    await expect(link.send(data(99))).rejects.toMatchObject({ code: 'BACK_PRESSURE' });
    credit(link.flowId);
    await Promise.all(ok);
    await until(() => wire.length === 42);
  });

  it('fails queued sends with CONNECTOR_CLOSED when the link closes', async () => {
    const { link, theirs } = rawPeer();
    const sends = Array.from({ length: 40 }, (_, i) => link.send(data(i)));
    await theirs.close(1000, 'bye');
    await until(() => !link.isOpen);
    const results = await Promise.allSettled(sends);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(8);
    expect((results.at(-1) as PromiseRejectedResult).reason).toBeInstanceOf(ConnectorClosedError);
    await expect(link.send(data(1))).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED' });
  });

  it('logs and drops undecodable input without disturbing the link', async () => {
    const logger = new RecordingLogger();
    const got: FameEnvelope[] = [];
    const [ours, theirs] = createMemoryConnectorPair();
    const link = new Link(
      ours,
      peer(),
      { onEnvelope: (e) => void got.push(e), onRejected: ignoreRejected, onClose: () => undefined },
      { logger },
    );
    link.start();
    theirs.start({ onMessage: () => undefined, onClose: () => undefined });
    theirs.send('not json');
    theirs.send('{"id":"x","frame":{"type":"Bogus"}}');
    theirs.send(new Uint8Array([0xff, 0xfe]));
    theirs.send(serializeEnvelope(data(1)));
    await until(() => got.length === 1);
    const warnings = logger.entries.filter((e) => e.level === 'warn' && /undecodable/.test(e.message));
    expect(warnings.map((w) => w.fields.code)).toEqual(['INVALID_ENVELOPE', 'UNKNOWN_FRAME', 'INVALID_ENVELOPE']);
    expect(warnings[0]!.bindings).toMatchObject({ linkId: ours.id });
    expect(link.isOpen).toBe(true);
  });

  it('takes an envelope the transport decoded already as it is, within its own size limit', () => {
    const got: FameEnvelope[] = [];
    const rejected: string[] = [];
    const [ours] = createMemoryConnectorPair();
    const link = new Link(
      ours,
      peer(),
      { onEnvelope: (e) => void got.push(e), onRejected: (_e, r) => void rejected.push(r.error.code), onClose: () => undefined },
      { logger: NOOP_LOGGER, maxEnvelopeBytes: 1_000, flowControl: false },
    );
    const small = encodeEnvelope(data(1));
    const decoded = decodeEnvelope(small);
    link.onMessage(small, decoded);
    expect(got).toEqual([decoded]);
    expect(got[0]).toBe(decoded); // not decoded again
    // Over this link's limit: decoded (and refused) as if nothing had been passed.
    const big = encodeEnvelope(data(2, { replyTo: 'me@y', corrId: 'c2', meta: { big: 'x'.repeat(2_000) } }));
    link.onMessage(big, decodeEnvelope(big));
    link.onMessage(serializeEnvelope(data(3)), data(3)); // text: decoded by the link
    expect(got).toHaveLength(2);
    expect(got[1]!.frame).toMatchObject({ payload: 3 });
    expect(rejected).toEqual(['MESSAGE_TOO_LARGE']);
  });

  it('hands a socket-like transport bytes encoded once, and counts what waits in bytes', async () => {
    const [ours, theirs] = createMemoryConnectorPair();
    const sent: WireMessage[] = [];
    const spy: Connector = {
      id: ours.id,
      info: { ...ours.info, messageForm: 'bytes' },
      get state() {
        return ours.state;
      },
      start: (handlers) => ours.start(handlers),
      send: (m) => (sent.push(m), ours.send(m)),
      drain: () => ours.drain(),
      close: (code, reason) => ours.close(code, reason),
    };
    const link = new Link(
      spy,
      peer(),
      { onEnvelope: () => undefined, onRejected: ignoreRejected, onClose: () => undefined },
      { logger: NOOP_LOGGER },
    );
    link.start();
    theirs.start({ onMessage: () => undefined, onClose: () => undefined });
    const wide = 'ü'.repeat(100); // 100 UTF-16 units, 200 UTF-8 bytes
    for (let i = 0; i < 40; i++) void link.send(data(i, { meta: { wide } }));
    await until(() => sent.length === 32);
    expect(sent.every((m) => m instanceof Uint8Array)).toBe(true);
    const oneEnvelope = (sent[31] as Uint8Array).byteLength;
    expect(link.queued.envelopes).toBe(8);
    expect(link.queued.bytes).toBeGreaterThanOrEqual(8 * (oneEnvelope - 2));
    expect(link.queued.bytes).toBeLessThanOrEqual(8 * (oneEnvelope + 2));
    expect(oneEnvelope).toBeGreaterThan(200 + 100);
  });

  it('hands an in-process transport text (nothing to encode), still counting what waits in UTF-8 bytes', async () => {
    const { link, wire } = rawPeer();
    const wide = 'ü'.repeat(100);
    for (let i = 0; i < 40; i++) void link.send(data(i, { meta: { wide } }));
    await until(() => wire.length === 32);
    const text = JSON.stringify(wire[31]);
    expect(link.queued.envelopes).toBe(8);
    expect(link.queued.bytes).toBeGreaterThan(8 * (text.length + 100 - 10));
  });

  it('refuses to send an envelope over the size limit', async () => {
    const { link } = rawPeer(undefined, { maxEnvelopeBytes: 1_000 });
    await expect(link.send(data(0, { meta: { big: 'x'.repeat(2_000) } }))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });
});
