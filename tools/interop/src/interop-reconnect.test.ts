/**
 * Scenario 7: a sentinel restarts on the same port with the same id, and the other
 * implementation's agent re-attaches and serves again.
 */
import type { AttachInfo, DetachInfo, NodeHooks } from '@naylence/fabric';
import { describe, expect, it } from 'vitest';
import { runReferenceClient, startReferenceAgent, startReferenceSentinel, uniqueId } from './harness.js';
import { connectOurNode, eventually, startOurAgent, startOurSentinel } from './ours.js';

const FAST_RECONNECT = { initialDelayMs: 100, maxDelayMs: 500, jitter: 0.5 };

describe('interop: sentinel restarts', () => {
  it('7a. our sentinel restarts: the reference agent re-attaches (at its next heartbeat) and serves again', async () => {
    const id = uniqueId('our-sentinel');
    const first = await startOurSentinel({ id });
    const port = first.port;
    let restarted: Awaited<ReturnType<typeof startOurSentinel>> | undefined;
    try {
      await using agent = await startReferenceAgent(first.url);
      await using client = await connectOurNode(first.url, { id: uniqueId('our-client'), reconnect: FAST_RECONNECT });
      expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agent.id);
      const attachesBefore = agent.lines.length;

      await first.stop();
      restarted = await startOurSentinel({ id, port });
      expect(restarted.url).toBe(first.url);

      // The reference agent notices the lost link only at its next 15 s heartbeat, then
      // reconnects with backoff; its script prints an `attached` line on every re-attach.
      const attached = await agent.waitFor((l) => l.event === 'attached', { from: attachesBefore, timeoutMs: 45_000, what: 're-attach' });
      expect(attached).toMatchObject({ role: 'agent', physicalPath: `/${id}/${agent.id}` });
      expect(attached.routingEpoch).toEqual(expect.any(String));
      expect(restarted.sentinel.linkedSystemIds).toContain(agent.id);
      // Our client re-attached on its own; calls reach the reference agent again.
      expect(await eventually(() => client.invoke('math@fame.fabric', 'whoami'), { timeoutMs: 15_000 })).toBe(agent.id);
      expect(await client.invoke('math@fame.fabric', 'add', { x: 2, y: 2 })).toBe(4);
    } finally {
      await restarted?.stop();
      await first.stop();
    }
  }, 90_000);

  it('7b. the reference sentinel restarts: our agent re-attaches (small reconnect delay) and serves again', async () => {
    const id = uniqueId('ref-sentinel');
    const attaches: AttachInfo[] = [];
    const detaches: DetachInfo[] = [];
    const watch: NodeHooks = { onAttached: (info) => attaches.push(info), onDetached: (info) => detaches.push(info) };
    const first = await startReferenceSentinel({ id });
    let second: Awaited<ReturnType<typeof startReferenceSentinel>> | undefined;
    try {
      await using agent = await startOurAgent(first.url, { id: uniqueId('our-agent'), reconnect: FAST_RECONNECT, hooks: [watch] });
      expect((await runReferenceClient(first.url, 'add')).result('add')).toMatchObject({ ok: true, result: 7 });
      expect(attaches).toHaveLength(1);

      // No goodbye: the process is killed, the kernel closes the socket.
      await first.stop('SIGKILL');
      await eventually(() => (detaches.length > 0 ? Promise.resolve() : Promise.reject(new Error('not detached yet'))));
      second = await startReferenceSentinel({ id, port: first.port });

      await eventually(() => (attaches.length >= 2 ? Promise.resolve() : Promise.reject(new Error('not re-attached yet'))), {
        timeoutMs: 20_000,
      });
      expect(attaches[1]).toMatchObject({ parentSystemId: id, physicalPath: `/${id}/${agent.node.systemId}` });
      expect(attaches[1]!.routingEpoch).not.toBe(attaches[0]!.routingEpoch);
      const run = await runReferenceClient(second.url, 'add,fib');
      expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
      expect(run.result('fib')).toMatchObject({ ok: true, result: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34] });
    } finally {
      await second?.stop();
      await first.stop();
    }
  }, 60_000);
});
