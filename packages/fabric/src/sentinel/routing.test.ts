import { createEnvelope, createReply, NOOP_LOGGER, randomId, ResponseType, type FameEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { FameNode } from '../node/node.js';
import type { NodeOptions } from '../node/node-options.js';
import { inbox, until } from '../testing/support.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import { hrwLoadBalancer } from '../routing/load-balancer.js';
import { routesOf } from '../testing/internals.js';
import { Sentinel, type SentinelOptions } from './sentinel.js';

/** An in-memory fabric whose nodes are all stopped when the test ends. */
class Fabric implements AsyncDisposable {
  readonly net = new MemoryNetwork();
  readonly #nodes: FameNode[] = [];

  async sentinel(name: string, options: SentinelOptions = {}): Promise<Sentinel> {
    const s = new Sentinel({ logger: NOOP_LOGGER, listeners: [this.net.listener(name)], ...options });
    this.#nodes.push(s);
    await s.start();
    return s;
  }

  async node(parent: string, options: NodeOptions = {}): Promise<FameNode> {
    const n = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: this.net.dialer(parent) }, ...options });
    this.#nodes.push(n);
    await n.start();
    return n;
  }

  /** A node serving `address` that answers every Data with `{ servedBy, echo }`. */
  async echoAgent(
    parent: string,
    address: string,
    options: NodeOptions & { capabilities?: string[] } = {},
  ): Promise<FameNode & { served: FameEnvelope[] }> {
    const agent = (await this.node(parent, options)) as FameNode & { served: FameEnvelope[] };
    agent.served = [];
    await agent.bind(
      address,
      (env) => {
        agent.served.push(env);
        if (env.replyTo)
          void agent.send(
            createReply(env, { type: 'Data', payload: { servedBy: agent.systemId, echo: (env.frame as { payload: unknown }).payload } }),
          );
      },
      { capabilities: options.capabilities ?? [] },
    );
    return agent;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const n of this.#nodes.reverse()) await n.stop();
  }
}

function request(to: string | undefined, replyTo: string, payload: unknown = 'ping', extra: Partial<FameEnvelope> = {}): FameEnvelope {
  return createEnvelope({
    ...(to !== undefined && { to }),
    replyTo,
    rtype: ResponseType.REPLY,
    corrId: randomId(),
    frame: { type: 'Data', payload },
    ...extra,
  });
}

describe('routing (protocol-core §5)', () => {
  it('routes by exact logical address and back by physical path', async () => {
    await using f = new Fabric();
    await f.sentinel('hub');
    const agent = await f.echoAgent('hub', 'math@fame.fabric');
    const client = await f.node('hub');
    const box = await inbox(client);
    const req = request('math@fame.fabric', box.address, 42);
    await client.send(req);
    const reply = await box.next();
    expect(reply).toMatchObject({ corrId: req.corrId, traceId: req.traceId, frame: { payload: { servedBy: agent.systemId, echo: 42 } } });
  });

  it('spreads a pool over its members with HRW and keeps a sticky key on one member', async () => {
    await using f = new Fabric();
    await f.sentinel('hub');
    const agents = await Promise.all([1, 2, 3].map(() => f.echoAgent('hub', 'math@fame.fabric', { requestedLogicals: ['*.fame.fabric'] })));
    const client = await f.node('hub');
    const box = await inbox(client);
    for (let i = 0; i < 1_000; i++) await client.send(request('math@fame.fabric', box.address, i));
    await until(() => box.received.length === 1_000);
    const counts = agents.map((a) => a.served.length);
    expect(counts.reduce((a, b) => a + b)).toBe(1_000);
    for (const c of counts) expect(c).toBeGreaterThan(200); // 333 expected; HRW on random ids
  });

  it('sends the same sticky key to the same pool member', async () => {
    await using f = new Fabric();
    await f.sentinel('hub', { loadBalancer: hrwLoadBalancer({ stickyAttribute: 'session_id' }) });
    const agents = await Promise.all([1, 2, 3].map(() => f.echoAgent('hub', 'math@fame.fabric', { requestedLogicals: ['*.fame.fabric'] })));
    const client = await f.node('hub');
    const box = await inbox(client);
    for (let i = 0; i < 30; i++) await client.send(request('math@fame.fabric', box.address, i, { meta: { session_id: 'user-7' } }));
    await until(() => box.received.length === 30);
    expect(agents.map((a) => a.served.length).sort()).toEqual([0, 0, 30]);
  });

  it('routes to a bare service by physical path', async () => {
    await using f = new Fabric();
    const hub = await f.sentinel('hub');
    const agent = await f.echoAgent('hub', 'svc@/');
    const client = await f.node('hub');
    const box = await inbox(client);
    expect(agent.physicalPath).toBe(`${hub.physicalPath}/${agent.systemId}`);
    await client.send(request(`svc@${agent.physicalPath}`, box.address));
    expect((await box.next()).frame).toMatchObject({ payload: { servedBy: agent.systemId } });
  });

  it('routes by capability when `to` is absent', async () => {
    await using f = new Fabric();
    await f.sentinel('hub');
    await f.echoAgent('hub', 'other@fame.fabric', { capabilities: ['fame.capability.other'] });
    const agent = await f.echoAgent('hub', 'math@fame.fabric', { capabilities: ['fame.capability.agent', 'math'] });
    const client = await f.node('hub');
    const box = await inbox(client);
    await client.send(request(undefined, box.address, 1, { capabilities: ['fame.capability.agent', 'math'] }));
    expect((await box.next()).frame).toMatchObject({ payload: { servedBy: agent.systemId } });
    await client.send(request(undefined, box.address, 2, { capabilities: ['fame.capability.agent', 'fame.capability.other'] }));
    expect((await box.next((e) => e.frame.type === 'DeliveryAck')).frame).toMatchObject({ ok: false, code: 'NO_ROUTE' });
  });

  it('routes through a two-level tree: up, across and down, by logical, path and capability', async () => {
    await using f = new Fabric();
    const root = await f.sentinel('root');
    const mid = await f.sentinel('mid', { upstream: { dialer: f.net.dialer('root') } });
    expect(mid.physicalPath).toBe(`${root.physicalPath}/${mid.systemId}`);
    const deep = await f.echoAgent('mid', 'deep@fame.fabric', { capabilities: ['deep.cap'] });
    const high = await f.echoAgent('root', 'high@fame.fabric');
    expect(deep.physicalPath).toBe(`${mid.physicalPath}/${deep.systemId}`);

    const rootClient = await f.node('root');
    const rootBox = await inbox(rootClient);
    await rootClient.send(request('deep@fame.fabric', rootBox.address, 'down'));
    expect((await rootBox.next()).frame).toMatchObject({ payload: { servedBy: deep.systemId } });
    await rootClient.send(request(undefined, rootBox.address, 'cap', { capabilities: ['deep.cap'] }));
    await until(() => rootBox.received.length === 2);
    expect(rootBox.received[1]!.frame).toMatchObject({ payload: { servedBy: deep.systemId, echo: 'cap' } });

    const midClient = await f.node('mid');
    const midBox = await inbox(midClient);
    await midClient.send(request('high@fame.fabric', midBox.address, 'up'));
    expect((await midBox.next()).frame).toMatchObject({ payload: { servedBy: high.systemId } });
    await midClient.send(request('nobody@fame.fabric', midBox.address));
    expect((await midBox.next((e) => e.frame.type === 'DeliveryAck')).frame).toMatchObject({ ok: false, code: 'NO_ROUTE' });
  });

  it('NACKs an unknown logical address and an unknown physical path with NO_ROUTE, as the reference does', async () => {
    await using f = new Fabric();
    const hub = await f.sentinel('hub');
    const client = await f.node('hub');
    const box = await inbox(client);
    const req = request('nobody@fame.fabric', box.address);
    await client.send(req);
    const nack = await box.next();
    expect(nack).toMatchObject({
      to: box.address,
      corrId: req.corrId,
      traceId: req.traceId,
      sid: hub.sid,
      frame: { type: 'DeliveryAck', ok: false, code: 'NO_ROUTE', reason: 'Unroutable to nobody@fame.fabric', refId: req.id },
    });
    expect(nack.replyTo).toBeUndefined();
    const byPath = request(`x@${hub.physicalPath}/ghost`, box.address);
    await client.send(byPath);
    expect((await box.next((e) => e.corrId === byPath.corrId)).frame).toMatchObject({ code: 'NO_ROUTE' });
  });

  it('drops without NACK what the protocol does not allow to NACK (no replyTo / corrId)', async () => {
    await using f = new Fabric();
    await f.sentinel('hub');
    const client = await f.node('hub');
    const box = await inbox(client);
    await client.send(createEnvelope({ to: 'nobody@fame.fabric', frame: { type: 'Data', payload: 1 } }));
    await new Promise((r) => setTimeout(r, 30));
    expect(box.received).toHaveLength(0);
  });

  it('withdraws a closed child’s routes: CHILD_UNREACHABLE during the grace period, then NO_ROUTE', async () => {
    await using f = new Fabric();
    const hub = await f.sentinel('hub', { routeGraceMs: 150 });
    const agent = await f.echoAgent('hub', 'math@fame.fabric', { capabilities: ['fame.capability.agent'] });
    const client = await f.node('hub');
    const box = await inbox(client);
    expect(routesOf(hub).exact('math@fame.fabric')?.systemId).toBe(agent.systemId);
    await agent.stop();
    await until(() => !hub.linkedSystemIds.includes(agent.systemId));
    const during = request('math@fame.fabric', box.address);
    await client.send(during);
    expect((await box.next((e) => e.corrId === during.corrId)).frame).toMatchObject({ ok: false, code: 'CHILD_UNREACHABLE' });
    await until(() => routesOf(hub).exact('math@fame.fabric') === undefined, 2_000, 'routes withdrawn');
    expect(routesOf(hub).capabilityProviders(['fame.capability.agent'])).toEqual([]);
    const after = request('math@fame.fabric', box.address);
    await client.send(after);
    expect((await box.next((e) => e.corrId === after.corrId)).frame).toMatchObject({ ok: false, code: 'NO_ROUTE' });
  });

  it('skips a dead pool member at once and keeps routing to the live ones', async () => {
    await using f = new Fabric();
    await f.sentinel('hub', { routeGraceMs: 60_000 });
    const [a, b] = await Promise.all([1, 2].map(() => f.echoAgent('hub', 'math@fame.fabric', { requestedLogicals: ['*.fame.fabric'] })));
    const client = await f.node('hub');
    const box = await inbox(client);
    await a!.stop();
    for (let i = 0; i < 50; i++) await client.send(request('math@fame.fabric', box.address, i));
    await until(() => box.received.length === 50);
    expect(box.received.every((e) => e.frame.type === 'Data')).toBe(true);
    expect(b!.served).toHaveLength(50);
  });

  it('re-binds on re-attach, so a restarted child is reachable again', async () => {
    await using f = new Fabric();
    const hub = await f.sentinel('hub');
    const id = 'agent-fixed-id';
    const first = await f.echoAgent('hub', 'math@fame.fabric', { systemId: id });
    await first.stop();
    await until(() => routesOf(hub).exact('math@fame.fabric') === undefined);
    const second = await f.echoAgent('hub', 'math@fame.fabric', { systemId: id });
    const client = await f.node('hub');
    const box = await inbox(client);
    await client.send(request('math@fame.fabric', box.address));
    expect((await box.next()).frame).toMatchObject({ payload: { servedBy: second.systemId } });
  });

  it('drops an envelope whose ttl is used up and NACKs it', async () => {
    await using f = new Fabric();
    await f.sentinel('hub');
    const agent = await f.echoAgent('hub', 'math@fame.fabric');
    const client = await f.node('hub');
    const box = await inbox(client);
    const dead = request('math@fame.fabric', box.address, 1, { ttl: 0 });
    await client.send(dead);
    expect((await box.next((e) => e.corrId === dead.corrId)).frame).toMatchObject({
      ok: false,
      code: 'NO_ROUTE',
      reason: expect.stringMatching(/TTL/),
    });
    const alive = request('math@fame.fabric', box.address, 2, { ttl: 3 });
    await client.send(alive);
    await box.next((e) => e.corrId === alive.corrId && e.frame.type === 'Data');
    expect(agent.served.at(-1)!.ttl).toBe(2);
  });
});
