/**
 * Scenarios 4–5: capability routing and pools across implementations, and the NACK the
 * reference client sees from our sentinel.
 */
import { DeliveryNackError } from '@naylence/core';
import { createFabric, type Sentinel } from '@naylence/fabric';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { runReferenceClient, startReferenceAgent, startReferenceSentinel, uniqueId, type JsonLine } from './harness.js';
import { connectOurNode, interopLogger, startOurAgent, startOurSentinel, type OurSentinel } from './ours.js';

const CALLS = 40;

/** Count who answered `whoami` over `calls` calls from our client. */
async function spreadFromOurClient(url: string, calls: number): Promise<Record<string, number>> {
  await using client = await connectOurNode(url, { id: uniqueId('our-client') });
  const seen: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const who = await client.invoke<string>('math@fame.fabric', 'whoami');
    seen[who] = (seen[who] ?? 0) + 1;
  }
  return seen;
}

describe('interop: capability routing and pools', () => {
  it('4a. routes by capability across implementations, both ways, on our sentinel and on the reference sentinel', async () => {
    for (const kind of ['ours', 'reference'] as const) {
      await using sentinel: (OurSentinel | Awaited<ReturnType<typeof startReferenceSentinel>>) & AsyncDisposable =
        kind === 'ours' ? await startOurSentinel({ id: uniqueId('our-sentinel') }) : await startReferenceSentinel();
      // Each serves an address of its own: a second live binder of one exact address is refused
      // by our sentinel (ADDRESS_IN_USE; sharing an address is what pools are for, see 4b).
      await using refAgent = await startReferenceAgent(sentinel.url, { capability: 'math.ref', service: 'refmath@fame.fabric' });
      await using ourAgent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent'), capability: 'math.ours' });

      // Our client finds the reference agent by its capability (unary and streamed) …
      await using client = await connectOurNode(sentinel.url, { id: uniqueId('our-client') });
      expect(await client.invokeByCapability(['math.ref'], 'whoami'), kind).toBe(refAgent.id);
      expect(await client.invokeByCapability(['math.ref'], 'add', { x: 10, y: 5 }), kind).toBe(15);
      expect(await client.invokeStreamByCapability(['math.ref'], 'fib', { n: 5 }).toArray(), kind).toEqual([0, 1, 1, 2, 3]);
      // … and the reference client finds ours by its capability.
      const run = await runReferenceClient(sentinel.url, 'cap', { capability: 'math.ours' });
      expect(run.result('cap_add'), kind).toMatchObject({ ok: true, result: 15 });
      expect(run.result('cap_fib'), kind).toMatchObject({ ok: true, result: [0, 1, 1, 2, 3] });
      expect(await client.invokeByCapability(['math.ours'], 'whoami'), kind).toBe(ourAgent.node.systemId);
    }
  });

  it('4b. a pool of one reference and one of our agents shares calls, on our sentinel and on the reference sentinel', async () => {
    for (const kind of ['ours', 'reference'] as const) {
      await using sentinel: (OurSentinel | Awaited<ReturnType<typeof startReferenceSentinel>>) & AsyncDisposable =
        kind === 'ours' ? await startOurSentinel({ id: uniqueId('our-sentinel') }) : await startReferenceSentinel();
      await using refMember = await startReferenceAgent(sentinel.url, { pool: true });
      await using ourMember = await startOurAgent(sentinel.url, { id: uniqueId('our-member'), requestedLogicals: ['*.fame.fabric'] });
      const members = [refMember.id, ourMember.node.systemId].sort();

      // Calls to math@fame.fabric land on both members (the load balancer salts by envelope id).
      const ours = await spreadFromOurClient(sentinel.url, CALLS);
      expect(Object.keys(ours).sort(), `${kind}: ${JSON.stringify(ours)}`).toEqual(members);
      expect(Object.values(ours).reduce((a, b) => a + b, 0)).toBe(CALLS);

      const run = await runReferenceClient(sentinel.url, 'pool', { calls: CALLS });
      const spread = run.lines.find((l) => l.test === 'pool_spread') as (JsonLine & { seen: Record<string, number> }) | undefined;
      expect(spread, run.stderr).toBeDefined();
      expect(Object.keys(spread!.seen).sort(), `${kind}: ${JSON.stringify(spread!.seen)}`).toEqual(members);
    }
  });
});

describe('interop: multi-level trees', () => {
  it('4c. reference root sentinel ← our edge sentinel ← reference agent: the reference client at the root reaches it', async () => {
    await using root = await startReferenceSentinel();
    // Our edge sentinel is a child of the reference root and a parent of the reference agent.
    await using edge = await createFabric({
      systemId: uniqueId('our-edge'),
      logger: interopLogger(),
      listeners: [new WebSocketListener({ host: '127.0.0.1', port: 0 })],
      connect: new WebSocketDialer({ url: root.url }),
    });
    const edgeUrl = (edge.node as Sentinel).addresses[0]!.url;
    expect(edge.physicalPath).toBe(`/${root.id}/${edge.node.systemId}`);
    await using agent = await startReferenceAgent(edgeUrl, { capability: 'math.v1' });
    const ready = agent.lines.find((l) => l.event === 'READY');
    expect(ready).toMatchObject({ physicalPath: `/${root.id}/${edge.node.systemId}/${agent.id}` });

    const run = await runReferenceClient(root.url, 'add,fib,cap');
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34] });
    expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });
    // Our client at the root too, by address and by capability.
    await using client = await connectOurNode(root.url, { id: uniqueId('our-client') });
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agent.id);
    expect(await client.invokeByCapability(['math.v1'], 'add', { x: 1, y: 1 })).toBe(2);
  });
});

describe('interop: NACKs', () => {
  it('5. the reference client sees our sentinel’s NO_ROUTE NACK as its own runtime reports one', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('our-sentinel') });
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent') });
    const run = await runReferenceClient(sentinel.url, 'unknown');
    expect(run.exit.code).toBe(0);
    for (const test of ['unknown_address', 'unknown_address_stream']) {
      const result = run.result(test) as JsonLine & { error: { class: string; message: string } };
      expect(result.ok, test).toBe(false);
      expect(result.error.class).toBe('Error');
      expect(result.error.message).toContain('NO_ROUTE');
      expect(result.error.message).toContain('Unroutable to nobody@fame.fabric');
      // Exactly the reference sentinel's wording (REPORT §5).
      expect(result.error.message).toBe("Message delivery failed with code 'NO_ROUTE': Unroutable to nobody@fame.fabric");
    }
    // By capability there is no `to`: the reason names the caller's reply address.
    const cap = run.result('unknown_capability') as JsonLine & { error: { message: string } };
    expect(cap.error.message).toMatch(/^Message delivery failed with code 'NO_ROUTE': Unroutable to __rpc__\w+@\//);
  });

  it('5b. our client gets the reference sentinel’s NACK as a typed DeliveryNackError', async () => {
    await using sentinel = await startReferenceSentinel();
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('our-client') });
    const error = await client.invoke('nobody@fame.fabric', 'add', { x: 1, y: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryNackError);
    expect(error).toMatchObject({ code: 'NO_ROUTE', ackCode: 'NO_ROUTE', reason: 'Unroutable to nobody@fame.fabric' });
    await expect(client.invokeStream('nobody@fame.fabric', 'fib', { n: 3 }).toArray()).rejects.toMatchObject({ ackCode: 'NO_ROUTE' });
    await expect(client.invokeByCapability(['no.such.capability'], 'add', {})).rejects.toMatchObject({ ackCode: 'NO_ROUTE' });
  });
});
