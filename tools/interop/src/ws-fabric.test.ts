/**
 * Our WebSocket transport with our fabric over real sockets: reconnects, heartbeats, limits,
 * garbage, silent peers and many peers at once.
 */
import { randomBytes } from 'node:crypto';
import type { LogFn, Logger } from '@naylence/core';
import type { AttachInfo, DetachInfo, Fabric, NodeHooks } from '@naylence/fabric';
import { describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { connectOurNode, eventually, startOurAgent, startOurSentinel } from './ours.js';
import { RawClient, SilentParent } from './raw-ws.js';

const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 250, jitter: 0.5 };

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A Logger that records every line. */
function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: string): LogFn =>
    (first: object | string, second?: string) =>
      lines.push({
        level,
        message: typeof first === 'string' ? first : (second ?? ''),
        fields: typeof first === 'string' ? {} : (first as Record<string, unknown>),
      });
  return {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => recordingLogger(lines),
  };
}

function lifecycle(): NodeHooks & { attached: AttachInfo[]; detached: DetachInfo[] } {
  const attached: AttachInfo[] = [];
  const detached: DetachInfo[] = [];
  return { attached, detached, onAttached: (info) => attached.push(info), onDetached: (info) => detached.push(info) };
}

const until = (predicate: () => boolean, what: string, timeoutMs = 10_000) =>
  eventually(() => (predicate() ? Promise.resolve() : Promise.reject(new Error(`still waiting for ${what}`))), {
    timeoutMs,
    intervalMs: 20,
  });

describe('WebSocket transport + fabric over real sockets', () => {
  it('re-attaches an agent and a client after the sentinel is stopped and restarted on the same port', async () => {
    const id = uniqueId('hub');
    const first = await startOurSentinel({ id });
    let second: Awaited<ReturnType<typeof startOurSentinel>> | undefined;
    const agentHooks = lifecycle();
    try {
      await using agent = await startOurAgent(first.url, { id: uniqueId('agent'), reconnect: FAST_RECONNECT, hooks: [agentHooks] });
      await using client = await connectOurNode(first.url, { id: uniqueId('client'), reconnect: FAST_RECONNECT });
      expect(await client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);

      await first.stop();
      await until(() => agentHooks.detached.length === 1, 'the agent to notice');
      expect(agentHooks.detached[0]).toMatchObject({ code: 1001 });
      second = await startOurSentinel({ id, port: first.port });
      await until(() => agentHooks.attached.length === 2, 'the agent to re-attach');
      expect(agentHooks.attached[1]).toMatchObject({ parentSystemId: id, physicalPath: `/${id}/${agent.node.systemId}` });
      expect(await eventually(() => client.invoke('math@fame.fabric', 'add', { x: 2, y: 3 }))).toBe(5);
      expect(await client.invokeStream('math@fame.fabric', 'fib', { n: 5 }).toArray()).toEqual([0, 1, 1, 2, 3]);
    } finally {
      await second?.stop();
      await first.stop();
    }
  });

  it('drops a link whose parent stops answering heartbeats, and reconnects', async () => {
    await using parent = new SilentParent();
    const url = await parent.listen();
    const hooks = lifecycle();
    await using node = await connectOurNode(url, { id: uniqueId('child'), heartbeatMs: 100, reconnect: FAST_RECONNECT, hooks: [hooks] });
    expect(node.physicalPath).toBe(`/silent-parent/${node.node.systemId}`);

    await parent.untilLinks(2);
    const [firstLink, secondLink] = parent.links;
    // The child closed the silent link itself, after sending heartbeats nobody acknowledged.
    expect(await firstLink!.closed).toEqual({ code: 1000, reason: 'heartbeat timeout' });
    expect(firstLink!.received.filter((e) => e.frame.type === 'NodeHeartbeat').length).toBeGreaterThanOrEqual(1);
    expect(hooks.detached[0]).toMatchObject({ code: 1000, reason: 'heartbeat timeout' });
    // … and attached again over a new link.
    await until(() => secondLink!.received.some((e) => e.frame.type === 'NodeAttach'), 'a second NodeAttach');
    await until(() => hooks.attached.length >= 2, 'the second attach');
  });

  it('closes a link that sends a frame over maxPayload with 1009 and keeps serving the others', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), listener: { maxPayload: 64 * 1024 } });
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('agent') });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client') });
    await using raw = new RawClient(sentinel.url);
    expect((await raw.attach()).frame).toMatchObject({ type: 'NodeAttachAck', ok: true });
    expect(sentinel.sentinel.linkedSystemIds).toContain(raw.systemId);

    raw.sendRaw(randomBytes(100 * 1024));
    expect((await raw.closed).code).toBe(1009);
    await until(() => !sentinel.sentinel.linkedSystemIds.includes(raw.systemId), 'the link to be gone');
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
  });

  it('logs and drops garbage after a valid attach, and the link stays usable', async () => {
    const logger = recordingLogger();
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), logger });
    await using raw = new RawClient(sentinel.url);
    await raw.attach();

    raw.sendRaw('this is not json');
    raw.sendRaw(randomBytes(512));
    raw.sendRaw(new Uint8Array([0xff, 0xfe, 0xfd]));
    raw.sendRaw('{"version":"1.0","id":"x","frame":{"type":"NoSuchFrame"}}');
    raw.sendRaw('[1,2,3]');
    // A valid heartbeat afterwards is answered on the same link.
    const beat = raw.sendEnvelope({ type: 'NodeHeartbeat' });
    const ack = await raw.next((e) => e.frame.type === 'NodeHeartbeatAck' && e.corrId === beat.corrId);
    expect(ack.frame).toMatchObject({ ok: true, refId: beat.id });

    const drops = logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('dropped an undecodable envelope'));
    expect(drops).toHaveLength(5);
    expect(drops.map((d) => d.fields.code)).toEqual([
      'INVALID_ENVELOPE',
      'INVALID_ENVELOPE',
      'INVALID_ENVELOPE',
      'UNKNOWN_FRAME',
      'INVALID_ENVELOPE',
    ]);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    expect(sentinel.sentinel.linkedSystemIds).toContain(raw.systemId);
  });

  it('closes a link that never sends NodeAttach with 1000 after the attach timeout, keeping no state', async () => {
    const logger = recordingLogger();
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), logger, sentinel: { attachTimeoutMs: 200 } });
    await using raw = new RawClient(sentinel.url);
    await raw.open();
    expect(await raw.closed).toEqual({ code: 1000, reason: 'normal closure' });

    await until(() => sentinel.listener.activeConnections === 0, 'the listener to forget the link');
    expect(sentinel.sentinel.linkedSystemIds).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'warn' && /no valid NodeAttach/.test(l.message))).toBe(true);
    const health = (await (await fetch(`http://127.0.0.1:${sentinel.port}/fame/v1/attach/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'healthy', active_connections: 0 });
    // The same system id can attach properly afterwards.
    await using again = new RawClient(sentinel.url, raw.systemId);
    expect((await again.attach()).frame).toMatchObject({ ok: true, assignedPath: `/${sentinel.sentinel.systemId}/${raw.systemId}` });
  });

  it('attaches 500 clients at once to one sentinel, then each makes one call', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('agent') });
    const clients: Fabric[] = [];
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 500 }, (_, i) => connectOurNode(sentinel.url, { id: `c${i}-${uniqueId('n')}` })),
      );
      for (const r of results) if (r.status === 'fulfilled') clients.push(r.value);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(clients.every((c) => c.node.isAttached)).toBe(true);
      expect(sentinel.sentinel.linkedSystemIds).toHaveLength(501);
      expect(sentinel.listener.activeConnections).toBe(501);

      const sums = await Promise.all(clients.map((c, i) => c.invoke<number>('math@fame.fabric', 'add', { x: i, y: 1 })));
      expect(sums).toEqual(clients.map((_, i) => i + 1));
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
    }
    await until(() => sentinel.listener.activeConnections === 1, 'the clients’ links to close');
  });
});
