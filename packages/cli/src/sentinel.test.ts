import { once } from 'node:events';
import { connect } from 'node:net';
import { NOOP_LOGGER } from '@naylence/core';
import { createFabric, type Sentinel } from '@naylence/fabric';
import { staticTokenProvider } from '@naylence/security';
import { WebSocketDialer } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { parentNotUpYet } from './fixtures.test.util.js';
import { runSentinel } from './sentinel.js';

const math = {
  add: ({ x, y }: { x: number; y: number }) => x + y,
  async *count({ n }: { n: number }) {
    for (let i = 0; i < n; i++) yield i;
  },
};

describe('runSentinel', () => {
  it('routes between an agent and a client attached over WebSocket, and answers health checks', async () => {
    await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, id: 'hub', logger: NOOP_LOGGER });
    expect(sentinel.url).toBe(`ws://127.0.0.1:${sentinel.port}/fame/v1/attach/ws/downstream`);
    expect(sentinel.physicalPath).toBe('/hub');
    await using agent = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: sentinel.url }) });
    await agent.serve('math@fame.fabric', math);
    await using client = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: sentinel.url }) });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 2, y: 3 })).toBe(5);
    expect(await client.invokeStream('math@fame.fabric', 'count', { n: 3 }).toArray()).toEqual([0, 1, 2]);

    const health = await fetch(sentinel.healthUrl);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', active_connections: 2, listenerType: 'WebSocketListener' });
  });

  it('admits peers only with a peer token, and applies its limits', async () => {
    await using sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'hub',
      tokens: ['child'],
      peerTokens: ['peer'],
      limits: { maxConnections: 2, slowConsumerMs: 1_000 },
      logger: NOOP_LOGGER,
    });
    const peerUrl = sentinel.url.replace(/\/downstream$/, '/peer');
    const peerWith = (token: string) =>
      createFabric({
        systemId: `edge-${token}`,
        logger: NOOP_LOGGER,
        sentinel: {
          peers: [
            {
              dialer: new WebSocketDialer({ url: peerUrl, tokenProvider: staticTokenProvider(token) }),
              reconnect: { maxInitialAttempts: 1 },
            },
          ],
        },
      });
    await expect(peerWith('child')).rejects.toMatchObject({ name: 'AttachError', code: 'AUTHENTICATION_FAILED' });
    await using edge = await peerWith('peer');
    expect((sentinel.fabric.node as Sentinel).linkedSystemIds).toEqual(['edge-peer']);
    await using _client = await createFabric({
      logger: NOOP_LOGGER,
      connect: new WebSocketDialer({ url: sentinel.url, tokenProvider: staticTokenProvider('child') }),
    });
    // a third connection is over the cap of two
    const health = await fetch(sentinel.healthUrl).catch((error: unknown) => error);
    expect(health instanceof Response ? health.status : 'refused').not.toBe(200);
    void edge;
  });

  it('applies its limits to the HTTP ingress and the server it shares with WebSocket', async () => {
    await using sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      tokens: ['child'],
      http: true,
      limits: { maxConnections: 10, httpMaxBodyBytes: 1_000, upgradeTimeoutMs: 100, authFailureMaxDelayMs: 300 },
      logger: NOOP_LOGGER,
    });
    const ingress = sentinel.ingressUrl!;
    const big = await fetch(`${ingress}/big`, { method: 'POST', body: 'x'.repeat(5_000), headers: { authorization: 'Bearer child' } });
    expect(big.status).toBe(413);
    const guess = () => fetch(`${ingress}/guess`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer wrong' } });
    expect((await guess()).status).toBe(401);
    const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await guess()).status));
    expect(statuses).toContain(429);
    // A socket that never sends its headers is closed by the shared server.
    const silent = connect(sentinel.port, '127.0.0.1')
      .on('error', () => {})
      .resume(); // read, to see the server's close
    await once(silent, 'close');
  });

  it('admits only children presenting one of its tokens', async () => {
    await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, tokens: ['old', 'new'], logger: NOOP_LOGGER });
    expect(sentinel.authenticated).toBe(true);
    const dial = (token?: string) =>
      createFabric({
        logger: NOOP_LOGGER,
        connect: new WebSocketDialer({ url: sentinel.url, ...(token !== undefined && { tokenProvider: staticTokenProvider(token) }) }),
      });
    await expect(dial()).rejects.toMatchObject({ name: 'AttachError', code: 'AUTHENTICATION_FAILED' });
    await expect(dial('wrong')).rejects.toMatchObject({ name: 'AttachError', code: 'AUTHENTICATION_FAILED' });
    await using ok = await dial('new');
    expect(ok.node.isAttached).toBe(true);
  });

  it('attaches below a parent sentinel, forming a two-level tree', async () => {
    await using root = await runSentinel({ host: '127.0.0.1', port: 0, id: 'root', tokens: ['up'], logger: NOOP_LOGGER });
    await using edge = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'edge',
      parentUrl: root.url,
      parentToken: 'up',
      logger: NOOP_LOGGER,
    });
    expect(edge.physicalPath).toBe('/root/edge');
    // An agent below the edge sentinel, a client at the root: calls climb down the tree.
    await using agent = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: edge.url }) });
    await agent.serve('math@fame.fabric', math, { capabilities: ['math.v1'] });
    expect(agent.physicalPath).toBe(`/root/edge/${agent.node.systemId}`);
    await using client = await createFabric({
      logger: NOOP_LOGGER,
      connect: new WebSocketDialer({ url: root.url, tokenProvider: staticTokenProvider('up') }),
    });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
    expect(await client.invokeByCapability(['math.v1'], 'add', { x: 1, y: 1 })).toBe(2);
    // And up the tree: a service at the root, called from below the edge.
    await client.serve('echo@fame.fabric', { echo: (p: unknown) => p });
    expect(await agent.invoke('echo@fame.fabric', 'echo', { up: true })).toEqual({ up: true });
  });

  it('attaches below a parent over HTTP (FAME_ADMISSION_PROFILE=direct-http, its callback listener on a port of its own)', async () => {
    await using root = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'root',
      http: true,
      tokens: ['up'],
      logger: NOOP_LOGGER,
      env: {},
    });
    await using edge = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'edge',
      parentUrl: root.ingressUrl!,
      parentToken: 'up',
      logger: NOOP_LOGGER,
      env: { FAME_ADMISSION_PROFILE: 'direct-http', FAME_LISTENER_PORT: '1' }, // the sentinel's port, never its callback's
    });
    expect(edge.physicalPath).toBe('/root/edge');
    expect(edge.fabric.profiles.admission).toBe('direct-http');
    await using agent = await createFabric({ logger: NOOP_LOGGER, env: {}, connect: new WebSocketDialer({ url: edge.url }) });
    await agent.serve('math@fame.fabric', math);
    await using client = await createFabric({
      logger: NOOP_LOGGER,
      env: {},
      connect: new WebSocketDialer({ url: root.url, tokenProvider: staticTokenProvider('up') }),
    });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
  });

  it('fails to start when the parent refuses it', async () => {
    await using root = await runSentinel({ host: '127.0.0.1', port: 0, tokens: ['up'], logger: NOOP_LOGGER });
    await expect(
      runSentinel({ host: '127.0.0.1', port: 0, parentUrl: root.url, parentToken: 'nope', logger: NOOP_LOGGER }),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('prints one line per envelope it receives and forwards', async () => {
    const lines: string[] = [];
    await using sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      logger: NOOP_LOGGER,
      showEnvelopes: true,
      write: (text) => lines.push(text),
    });
    await using agent = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: sentinel.url }) });
    await agent.serve('math@fame.fabric', math);
    await using client = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: sentinel.url }) });
    await client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 });
    await expect(client.invoke('nobody@fame.fabric', 'add', {})).rejects.toMatchObject({ code: 'NO_ROUTE' });

    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    const request = lines.filter((line) => line.includes('"method":"add"') && line.includes('"to":"math@fame.fabric"'));
    expect(request.map((line) => line.slice(13, 14))).toEqual(['←', '→']);
    expect(request[0]).toContain(`child:${client.node.systemId}`);
    expect(request[1]).toContain(`child:${agent.node.systemId}`);
    expect(lines.some((line) => line.includes('← child') && line.includes(' AddressBind '))).toBe(true);
    const dropped = lines.find((line) => line.includes('✗ NO_ROUTE'));
    expect(dropped).toContain('Unroutable to nobody@fame.fabric');
    const json = dropped!.slice(dropped!.indexOf('{'));
    expect(JSON.parse(json)).toMatchObject({ to: 'nobody@fame.fabric', frame: { type: 'Data' } });
  });

  it('waits for a parent that is not up yet (0 = retry forever), and can be aborted meanwhile', async () => {
    await using parent = await parentNotUpYet();
    const parentUrl = parent.url;
    const fast = { initialDelayMs: 20, maxDelayMs: 100 };
    const starting = runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'late',
      parentUrl,
      maxInitialAttempts: 0,
      reconnect: fast,
      logger: NOOP_LOGGER,
    });
    await using root = await runSentinel({ server: parent.server, id: 'root', logger: NOOP_LOGGER });
    await using late = await starting;
    expect(late.physicalPath).toBe('/root/late');

    const stop = new AbortController();
    await using nobody = await parentNotUpYet();
    const nowhere = nobody.url;
    const waiting = runSentinel({
      host: '127.0.0.1',
      port: 0,
      parentUrl: nowhere,
      maxInitialAttempts: 0,
      reconnect: fast,
      logger: NOOP_LOGGER,
      signal: stop.signal,
    });
    stop.abort('test');
    await expect(waiting).rejects.toMatchObject({ name: 'AbortedError', code: 'ABORTED' });
    expect(root.fabric.node.isRunning).toBe(true);
  });

  it('reports a port that is taken', async () => {
    await using first = await runSentinel({ host: '127.0.0.1', port: 0, logger: NOOP_LOGGER });
    await expect(runSentinel({ host: '127.0.0.1', port: first.port, logger: NOOP_LOGGER })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });
});
