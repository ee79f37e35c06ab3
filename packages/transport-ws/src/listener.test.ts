import { createServer } from 'node:http';
import { Collector } from '@naylence-tools/transport-compliance';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketDialer } from './dialer.js';
import { TestHost, rawClient, startHttpServer, startListener } from './fixtures.test.util.js';
import { WebSocketListener } from './listener.js';

const ATTACH = '/fame/v1/attach/ws';

describe('WebSocketListener routes', () => {
  it('accepts a downstream link and hands it to the host with origin and system id', async () => {
    await using running = await startListener();
    expect(running.address.url).toBe(`ws://127.0.0.1:${running.address.port}${ATTACH}/downstream`);
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url }).dial({ systemId: 'child-1', originType: 'downstream' });
    const link = await accepted;
    expect(link).toMatchObject({ originType: 'downstream', systemId: 'child-1' });
    expect(link).not.toHaveProperty('authorization');
    expect(link.connector.info.transport).toBe('websocket');
    expect(link.connector.info.remoteAddress).toBe(child.info.localAddress);
    expect(child.info.remoteAddress).toBe(`127.0.0.1:${running.address.port}`);
  });

  it('takes the origin segment case-insensitively (peer links)', async () => {
    await using running = await startListener();
    const accepted = running.host.nextLink();
    await using _client = await rawClient(running.url(`${ATTACH}/PEER/sentinel-b`));
    expect(await accepted).toMatchObject({ originType: 'peer', systemId: 'sentinel-b' });
  });

  it('upgrades, then closes 1008 "Invalid origin type" for an unknown origin segment (no ack)', async () => {
    await using running = await startListener();
    await using client = await rawClient(running.url(`${ATTACH}/sideways/intruder`), { protocols: ['bearer', 'x'] });
    expect(client.ws.protocol).toBe('bearer');
    expect(await client.closed).toEqual({ code: 1008, reason: 'Invalid origin type' });
    expect(client.messages).toEqual([]);
    expect(running.host.links).toEqual([]);
  });

  it('closes 1008 "Invalid attach route" for a route without a system id or with extra segments', async () => {
    await using running = await startListener();
    for (const path of [`${ATTACH}/downstream`, `${ATTACH}/downstream/`, `${ATTACH}/downstream/a/b`, ATTACH]) {
      await using client = await rawClient(running.url(path));
      expect(await client.closed, path).toEqual({ code: 1008, reason: 'Invalid attach route' });
    }
    expect(running.host.links).toEqual([]);
  });

  it('closes 1008 "Self attachment not allowed" when the system id is the host\'s own', async () => {
    await using running = await startListener({}, new TestHost('sentinel-a'));
    await using client = await rawClient(running.url(`${ATTACH}/downstream/sentinel-a`), { protocols: ['bearer', 'x'] });
    expect(client.ws.protocol).toBe('bearer');
    expect(await client.closed).toEqual({ code: 1008, reason: 'Self attachment not allowed' });
    expect(running.host.links).toEqual([]);
  });

  it('closes 1011 while the host is not ready', async () => {
    await using running = await startListener();
    running.host.ready = false;
    await using client = await rawClient(running.url(`${ATTACH}/downstream/child`));
    expect((await client.closed).code).toBe(1011);
    expect(running.host.links).toEqual([]);
  });

  it('answers 404 to upgrades and requests outside its routes when standalone', async () => {
    await using running = await startListener();
    await expect(rawClient(running.url('/chat'))).rejects.toThrow('Unexpected server response: 404');
    const response = await fetch(`http://127.0.0.1:${running.address.port}/elsewhere`);
    expect(response.status).toBe(404);
  });
});

describe('WebSocketListener health', () => {
  it('answers GET /fame/v1/attach/health with the reference document and the live link count', async () => {
    await using running = await startListener();
    const healthUrl = `http://127.0.0.1:${running.address.port}/fame/v1/attach/health`;
    const empty = await fetch(healthUrl);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('application/json');
    expect(await empty.text()).toBe(
      '{"status":"healthy","active_connections":0,"listenerType":"WebSocketListener","listener_type":"WebSocketListener"}',
    );
    const accepted = running.host.nextLink();
    await using _child = await new WebSocketDialer({ url: running.address.url }).dial({ systemId: 'c', originType: 'downstream' });
    await accepted;
    expect(await (await fetch(healthUrl)).json()).toMatchObject({ active_connections: 1 });
    expect(running.listener.activeConnections).toBe(1);
  });
});

describe('WebSocketListener mounted on an existing http.Server', () => {
  it('shares the server with unrelated routes and upgrades, and leaves the server running on close', async () => {
    const chat = new WebSocketServer({ noServer: true });
    chat.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`chat:${data.toString()}`)));
    const server = createServer((request, response) => {
      if (listener.handleRequest(request, response)) return;
      if (request.url === '/hello') response.end('world');
      else response.writeHead(404).end();
    });
    server.on('upgrade', (request, socket, head) => {
      if (request.url === '/chat') chat.handleUpgrade(request, socket, head, (ws) => chat.emit('connection', ws, request));
    });
    await using http = await startHttpServer(server);
    const listener = new WebSocketListener({ server });
    const host = new TestHost();
    const address = await listener.listen(host);
    try {
      expect(address.port).toBe(http.port);
      const base = `http://127.0.0.1:${http.port}`;
      expect(await (await fetch(`${base}/hello`)).text()).toBe('world');
      expect(await (await fetch(`${base}/fame/v1/attach/health`)).json()).toEqual({
        status: 'healthy',
        active_connections: 0,
        listenerType: 'WebSocketListener',
        listener_type: 'WebSocketListener',
      });

      await using chatClient = await rawClient(`ws://127.0.0.1:${http.port}/chat`);
      chatClient.ws.send('hi');
      await chatClient.untilMessages(1);
      expect(chatClient.messages.map((m) => m.text)).toEqual(['chat:hi']);

      const accepted = host.nextLink();
      const child = await new WebSocketDialer({ url: address.url }).dial({ systemId: 'child', originType: 'downstream' });
      const childEvents = Collector.start(child, 'child');
      const { connector } = await accepted;
      Collector.start(connector, 'parent', (text) => connector.send(`echo:${text}`));
      child.send('ping');
      await childEvents.untilCount(1);
      expect(childEvents.messages).toEqual(['echo:ping']);

      await listener.close();
      expect(await childEvents.untilClosed()).toMatchObject({ code: 1001, initiator: 'remote' });
      expect(server.listening).toBe(true);
      expect(await (await fetch(`${base}/hello`)).text()).toBe('world');
      expect(server.listenerCount('upgrade')).toBe(1);
    } finally {
      await listener.close();
      chat.close();
    }
  });
});

describe('WebSocketListener limits and payloads', () => {
  it('closes a link with 1009 when a message exceeds maxPayload, and logs it', async () => {
    await using running = await startListener({ maxPayload: 1024 });
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url }).dial({ systemId: 'big', originType: 'downstream' });
    const { connector } = await accepted;
    const parent = Collector.start(connector, 'parent');
    const events = Collector.start(child, 'child');
    child.send('x'.repeat(2048));
    expect(await events.untilClosed()).toMatchObject({ code: 1009, initiator: 'remote' });
    expect(await parent.untilClosed()).toMatchObject({ code: 1009, initiator: 'local' });
    expect(running.host.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('Max payload') }),
    );
  });

  it("delivers garbage and text frames as messages: rejecting them is the fabric's job", async () => {
    await using running = await startListener();
    const accepted = running.host.nextLink();
    await using client = await rawClient(running.url(`${ATTACH}/downstream/junk`));
    const { connector } = await accepted;
    const events = Collector.start(connector, 'parent');
    client.ws.send(Buffer.from([0x7b, 0x00, 0x22, 0x7d]));
    client.ws.send('not json {', { binary: false });
    client.ws.send(Buffer.alloc(0));
    await events.untilCount(3);
    expect(events.messages).toEqual(['{\u0000"}', 'not json {', '']);
    expect(connector.state).toBe('open');
  });

  it('sends every message as a binary frame, strings included', async () => {
    await using running = await startListener();
    const accepted = running.host.nextLink();
    await using client = await rawClient(running.url(`${ATTACH}/downstream/frames`));
    const { connector } = await accepted;
    connector.send('{"text":"ünï"}');
    connector.send(new TextEncoder().encode('{"bytes":true}'));
    await client.untilMessages(2);
    expect(client.messages).toEqual([
      { text: '{"text":"ünï"}', isBinary: true },
      { text: '{"bytes":true}', isBinary: true },
    ]);
  });
});

describe('WebSocketListener lifecycle', () => {
  it('close() closes live links with 1001, frees the port and is idempotent; listen() is once only', async () => {
    const running = await startListener();
    const accepted = running.host.nextLink();
    const child = await new WebSocketDialer({ url: running.address.url }).dial({ systemId: 'c', originType: 'downstream' });
    const events = Collector.start(child, 'child');
    await accepted;
    await expect(running.listener.listen(new TestHost())).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await Promise.all([running.listener.close(), running.listener.close()]);
    expect(await events.untilClosed()).toMatchObject({ code: 1001, reason: 'Listener closing', initiator: 'remote' });
    expect(running.listener.activeConnections).toBe(0);
    await running.listener.close();
    await expect(running.listener.listen(new TestHost())).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(fetch(`http://127.0.0.1:${running.address.port}/fame/v1/attach/health`)).rejects.toThrow();
  });

  it('url uses 127.0.0.1 when bound to all interfaces', async () => {
    await using running = await startListener({ host: '0.0.0.0' });
    expect(running.address.host).toBe('0.0.0.0');
    expect(running.address.url).toBe(`ws://127.0.0.1:${running.address.port}/fame/v1/attach/ws/downstream`);
  });

  it('accepts 500 clients connecting at once, each able to exchange a message', async () => {
    const host = new TestHost();
    host.onAccept = ({ connector, systemId }) =>
      connector.start({ onMessage: (m) => connector.send(`${systemId}:${String(m)}`), onClose: () => {} });
    await using running = await startListener({}, host);
    const dialer = new WebSocketDialer({ url: running.address.url });
    const children = await Promise.all(
      Array.from({ length: 500 }, (_, i) => dialer.dial({ systemId: `child-${i}`, originType: 'downstream' })),
    );
    try {
      const replies = await Promise.all(
        children.map(async (child, i) => {
          const events = Collector.start(child, `child-${i}`);
          child.send('hello');
          await events.untilCount(1);
          return events.messages[0];
        }),
      );
      expect(replies).toEqual(Array.from({ length: 500 }, (_, i) => `child-${i}:hello`));
      expect(host.links).toHaveLength(500);
      expect(running.listener.health().active_connections).toBe(500);
    } finally {
      await Promise.all(children.map((child) => child.close()));
    }
  });
});
