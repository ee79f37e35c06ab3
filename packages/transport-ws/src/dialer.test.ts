import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortedError, FameTimeoutError, type DialRequest } from '@naylence/core';
import { Collector, eventLoopTurns } from '@naylence-tools/transport-compliance';
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WebSocketDialer } from './dialer.js';
import { REFUSED_PORT, startListener, startSilentServer } from './fixtures.test.util.js';

const CHILD: DialRequest = { systemId: 'child-1', originType: 'downstream' };

interface PeerConnection {
  readonly ws: WebSocket;
  readonly request: IncomingMessage;
  readonly received: { text: string; isBinary: boolean }[];
}

/** A plain `ws` server standing in for a parent: records requests and what it receives. */
async function startPeer(options: { perMessageDeflate?: boolean } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: options.perMessageDeflate ?? false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const connections: PeerConnection[] = [];
  const waiters: ((c: PeerConnection) => void)[] = [];
  wss.on('connection', (ws, request) => {
    const connection: PeerConnection = { ws, request, received: [] };
    ws.on('message', (data: RawData, isBinary: boolean) => connection.received.push({ text: (data as Buffer).toString(), isBinary }));
    connections.push(connection);
    waiters.shift()?.(connection);
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`,
    port,
    connections,
    nextConnection: (): Promise<PeerConnection> => new Promise((resolve) => waiters.push(resolve)),
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        for (const { ws } of connections) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('WebSocketDialer URL and handshake', () => {
  it('appends /{systemId} to the configured path, adding a slash only when missing and keeping the query', () => {
    const at = (url: string) => new WebSocketDialer({ url }).attachUrl('child-1');
    expect(at('ws://127.0.0.1:8000/fame/v1/attach/ws/downstream')).toBe('ws://127.0.0.1:8000/fame/v1/attach/ws/downstream/child-1');
    expect(at('ws://127.0.0.1:8000/fame/v1/attach/ws/downstream/')).toBe('ws://127.0.0.1:8000/fame/v1/attach/ws/downstream/child-1');
    expect(at('wss://h/fame/v1/attach/ws/peer?token=t')).toBe('wss://h/fame/v1/attach/ws/peer/child-1?token=t');
    expect(() => new WebSocketDialer({ url: 'http://h/x' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => new WebSocketDialer({ url: 'not a url' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('offers subprotocols ["bearer", token] by default and no compression', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    const dialer = new WebSocketDialer({ url: peer.url, tokenProvider: { getToken: () => Promise.resolve({ value: 'tok.en-1' }) } });
    await using _child = await dialer.dial(CHILD);
    const { request, ws } = await connected;
    expect(request.url).toBe('/fame/v1/attach/ws/downstream/child-1');
    expect(request.headers['sec-websocket-protocol']).toBe('bearer,tok.en-1');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['sec-websocket-extensions']).toBeUndefined();
    expect(ws.protocol).toBe('bearer');
  });

  it('sends Authorization: Bearer in header mode', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    const dialer = new WebSocketDialer({
      url: peer.url,
      authMode: 'header',
      tokenProvider: { getToken: () => Promise.resolve({ value: 'tok' }) },
    });
    await using _child = await dialer.dial(CHILD);
    const { request } = await connected;
    expect(request.headers.authorization).toBe('Bearer tok');
    expect(request.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('adds ?<queryParam>=<token> in query mode, keeping an existing query, and fetches a token per dial', async () => {
    await using peer = await startPeer();
    let n = 0;
    const dialer = new WebSocketDialer({
      url: `${peer.url}?region=eu`,
      authMode: 'query',
      queryParam: 'access_token',
      tokenProvider: { getToken: () => Promise.resolve({ value: `tok-${++n}` }) },
    });
    for (const expected of ['tok-1', 'tok-2']) {
      const connected = peer.nextConnection();
      await using _child = await dialer.dial(CHILD);
      const { request } = await connected;
      expect(request.url).toBe(`/fame/v1/attach/ws/downstream/child-1?region=eu&access_token=${expected}`);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers['sec-websocket-protocol']).toBeUndefined();
    }
  });

  it('negotiates permessage-deflate without context takeover when enabled', async () => {
    await using peer = await startPeer({ perMessageDeflate: true });
    const connected = peer.nextConnection();
    await using child = await new WebSocketDialer({ url: peer.url, perMessageDeflate: true }).dial(CHILD);
    const { request, ws } = await connected;
    const offer = request.headers['sec-websocket-extensions'] ?? '';
    expect(offer).toContain('permessage-deflate');
    expect(offer).toContain('server_no_context_takeover');
    expect(offer).toContain('client_no_context_takeover');
    expect(ws.extensions).toContain('permessage-deflate');
    const big = JSON.stringify({ payload: 'z'.repeat(100_000) });
    child.send(big);
    child.send('{"small":true}');
    while (peer.connections[0]!.received.length < 2) await eventLoopTurns(1);
    expect(peer.connections[0]!.received.map((m) => m.text)).toEqual([big, '{"small":true}']);
  });
});

describe('WebSocketDialer failures', () => {
  it('rejects with TIMEOUT when the server never answers the upgrade', async () => {
    await using silent = await startSilentServer();
    const dialer = new WebSocketDialer({ url: `ws://127.0.0.1:${silent.port}/fame/v1/attach/ws/downstream`, connectTimeoutMs: 50 });
    const error = await dialer.dial(CHILD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FameTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 50 });
  });

  it('rejects with ABORTED when the signal aborts during the handshake, or before', async () => {
    await using silent = await startSilentServer();
    const dialer = new WebSocketDialer({ url: `ws://127.0.0.1:${silent.port}/fame/v1/attach/ws/downstream` });
    const controller = new AbortController();
    const dialing = dialer.dial({ ...CHILD, signal: controller.signal });
    await silent.accepted;
    controller.abort(new Error('shutting down'));
    const error = await dialing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({ code: 'ABORTED' });
    await expect(dialer.dial({ ...CHILD, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('rejects with CONNECTOR_CLOSED when the connection is refused', async () => {
    const dialer = new WebSocketDialer({ url: `ws://127.0.0.1:${REFUSED_PORT}/fame/v1/attach/ws/downstream` });
    await expect(dialer.dial(CHILD)).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('rejects with CONNECTOR_CLOSED naming the status when the server answers with an HTTP error', async () => {
    await using running = await startListener();
    const dialer = new WebSocketDialer({ url: `ws://127.0.0.1:${running.address.port}/not/an/attach/route` });
    await expect(dialer.dial(CHILD)).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED', message: expect.stringContaining('404') });
  });

  it('rejects with AUTHENTICATION_FAILED when the token provider fails, without dialing', async () => {
    await using peer = await startPeer();
    const dialer = new WebSocketDialer({ url: peer.url, tokenProvider: { getToken: () => Promise.reject(new Error('no token')) } });
    await expect(dialer.dial(CHILD)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', message: expect.stringContaining('no token') });
    expect(peer.connections).toEqual([]);
  });

  it('rejects a token that cannot be a subprotocol with INVALID_CONFIG', async () => {
    await using peer = await startPeer();
    const dialer = new WebSocketDialer({ url: peer.url, tokenProvider: { getToken: () => Promise.resolve({ value: 'has space' }) } });
    await expect(dialer.dial(CHILD)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe('WebSocketConnector behaviour', () => {
  it('closes an idle link with 1000 "idle timeout"', async () => {
    await using running = await startListener();
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url, idleTimeoutMs: 40 }).dial(CHILD);
    const events = Collector.start(child, 'child');
    const { connector } = await accepted;
    const parent = Collector.start(connector, 'parent');
    expect(await events.untilClosed()).toEqual({ code: 1000, reason: 'idle timeout', initiator: 'local' });
    expect(await parent.untilClosed()).toEqual({ code: 1000, reason: 'idle timeout', initiator: 'remote' });
  });

  it('listener-side links time out too', async () => {
    await using running = await startListener({ idleTimeoutMs: 40 });
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url }).dial(CHILD);
    const events = Collector.start(child, 'child');
    Collector.start((await accepted).connector, 'parent');
    expect(await events.untilClosed()).toEqual({ code: 1000, reason: 'idle timeout', initiator: 'remote' });
  });

  it('returns false from send() while the peer stops reading, and drain() resolves after it resumes', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    await using child = await new WebSocketDialer({ url: peer.url, highWaterMark: 256 * 1024 }).dial(CHILD);
    const { ws: peerSocket, received } = await connected;
    peerSocket.pause();

    const chunk = 'c'.repeat(64 * 1024);
    let sent = 0;
    let stuck = false;
    // Fill the socket and kernel buffers until drain() stays pending across event-loop turns.
    while (!stuck) {
      while (child.send(`${sent}:${chunk}`)) sent++;
      sent++;
      expect(sent * chunk.length, 'never back-pressured').toBeLessThan(512 * 1024 * 1024);
      const drained = await Promise.race([child.drain().then(() => true), eventLoopTurns(20).then(() => false)]);
      stuck = !drained;
    }
    expect(child.send('one more')).toBe(false);
    sent++;
    expect(received.length).toBeLessThan(sent);

    const drained = child.drain();
    peerSocket.resume();
    await drained;
    while (received.length < sent) await eventLoopTurns(1);
    expect(received.slice(0, sent - 1).every((m, i) => m.isBinary && m.text.startsWith(`${i}:`))).toBe(true);
    expect(received[sent - 1]?.text).toBe('one more');
    expect(child.send('after drain')).toBe(true);
  });

  it('maps codes that must not go on the wire and cuts long reasons', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    const child = await new WebSocketDialer({ url: peer.url }).dial(CHILD);
    const { ws } = await connected;
    const peerClosed = new Promise<[number, string]>((resolve) =>
      ws.on('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])),
    );
    const events = Collector.start(child, 'child');
    await child.close(1006, 'x'.repeat(300));
    expect(await peerClosed).toEqual([1011, 'x'.repeat(123)]);
    expect(await events.untilClosed()).toMatchObject({ code: 1011, reason: 'x'.repeat(123), initiator: 'local' });
  });

  it('reports an abrupt disconnect as a remote 1006', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    await using child = await new WebSocketDialer({ url: peer.url }).dial(CHILD);
    const events = Collector.start(child, 'child');
    (await connected).ws.terminate();
    expect(await events.untilClosed()).toMatchObject({ code: 1006, initiator: 'remote' });
    expect(child.state).toBe('closed');
  });

  it('accepts text frames and hands every message over as a string', async () => {
    await using peer = await startPeer();
    const connected = peer.nextConnection();
    await using child = await new WebSocketDialer({ url: peer.url }).dial(CHILD);
    const { ws } = await connected;
    ws.send('{"as":"text"}', { binary: false });
    ws.send(Buffer.from('{"as":"binary"}'), { binary: true });
    const events = new Collector('child');
    const raw: unknown[] = [];
    child.start({ onMessage: (m) => (raw.push(m), events.onMessage(m)), onClose: events.onClose });
    await events.untilCount(2);
    expect(raw).toEqual(['{"as":"text"}', '{"as":"binary"}']);
  });
});
