import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { decodeEnvelope, type AuthorizationContext, type Authorizer, type TokenProvider } from '@naylence/core';
import { Collector, eventLoopTurns } from '@naylence-tools/transport-compliance';
import { describe, expect, it } from 'vitest';
import { WebSocketDialer } from './dialer.js';
import { deferred, rawClient, startListener } from './fixtures.test.util.js';

const ATTACH = '/fame/v1/attach/ws';
const SECRET = 's3cret';

/** A shared-secret authorizer that records the credentials it was given. */
function secretAuthorizer(): Authorizer & { readonly seen: (string | undefined)[] } {
  const seen: (string | undefined)[] = [];
  return {
    seen,
    authenticate: (credentials) => {
      seen.push(credentials);
      return Promise.resolve(
        credentials === `Bearer ${SECRET}`
          ? { authenticated: true, principal: 'shared_secret_user', authMethod: 'shared-secret' }
          : undefined,
      );
    },
  };
}

const tokenProvider = (value: string): TokenProvider => ({ getToken: () => Promise.resolve({ value }) });

/** Expects the one refusal envelope the reference sends: a NodeAttachAck ok:false, no corrId/refId, camelCase. */
function expectRefusalAck(text: string | undefined, reason: string): void {
  expect(text).toBeDefined();
  const raw = JSON.parse(text!) as Record<string, unknown>;
  expect(raw).toMatchObject({ version: '1.0', frame: { type: 'NodeAttachAck', ok: false, reason } });
  expect(Object.keys(raw)).toEqual(['version', 'id', 'traceId', 'frame', 'ts']);
  expect(Object.keys(raw.frame as object)).toEqual(['type', 'ok', 'reason']);
  expect(decodeEnvelope(text!).frame.type).toBe('NodeAttachAck');
}

/** A hand-made upgrade request, for headers no WebSocket client would send. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<{ response: IncomingMessage; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (response, socket) => resolve({ response, socket }));
    req.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('WebSocketListener authentication', () => {
  it('accepts a token offered as subprotocols ["bearer", token] and selects "bearer"', async () => {
    const authorizer = secretAuthorizer();
    await using running = await startListener({ authorizer });
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url, tokenProvider: tokenProvider(SECRET) }).dial({
      systemId: 'child',
      originType: 'downstream',
    });
    const link = await accepted;
    expect(link.authorization).toEqual<AuthorizationContext>({
      authenticated: true,
      principal: 'shared_secret_user',
      authMethod: 'shared-secret',
    });
    expect(authorizer.seen).toEqual([`Bearer ${SECRET}`]);
    expect(child.state).toBe('open');

    await using raw = await rawClient(running.url(`${ATTACH}/downstream/raw`), { protocols: ['bearer', SECRET] });
    expect(raw.ws.protocol).toBe('bearer');
  });

  it('accepts a token in the Authorization header (no subprotocol negotiated)', async () => {
    const authorizer = secretAuthorizer();
    await using running = await startListener({ authorizer });
    const accepted = running.host.nextLink();
    await using _child = await new WebSocketDialer({
      url: running.address.url,
      tokenProvider: tokenProvider(SECRET),
      authMode: 'header',
    }).dial({
      systemId: 'child',
      originType: 'downstream',
    });
    expect((await accepted).authorization?.authenticated).toBe(true);
    expect(authorizer.seen).toEqual([`Bearer ${SECRET}`]);

    await using raw = await rawClient(running.url(`${ATTACH}/downstream/raw`), { headers: { Authorization: `Bearer ${SECRET}` } });
    expect(raw.ws.protocol).toBe('');
  });

  it('accepts a single "bearer <token>" subprotocol entry', async () => {
    const authorizer = secretAuthorizer();
    await using running = await startListener({ authorizer });
    const accepted = running.host.nextLink();
    const { response, socket } = await upgrade(running.address.port, `${ATTACH}/downstream/single`, {
      'Sec-WebSocket-Protocol': `bearer ${SECRET}`,
    });
    try {
      expect(response.statusCode).toBe(101);
      expect(response.headers['sec-websocket-protocol']).toBe('bearer');
      expect((await accepted).authorization?.authenticated).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('refuses a bad token: one NodeAttachAck ok:false (binary, camelCase), then close 1008', async () => {
    const authorizer = secretAuthorizer();
    await using running = await startListener({ authorizer });
    await using child = await new WebSocketDialer({ url: running.address.url, tokenProvider: tokenProvider('wrong') }).dial({
      systemId: 'intruder',
      originType: 'downstream',
    });
    const events = Collector.start(child, 'child');
    expect(await events.untilClosed()).toMatchObject({ code: 1008, reason: 'Authentication failed', initiator: 'remote' });
    expect(events.messages).toHaveLength(1);
    expectRefusalAck(events.messages[0], 'Authentication failed');
    expect(authorizer.seen).toEqual(['Bearer wrong']);
    expect(running.host.links).toEqual([]);

    await using raw = await rawClient(running.url(`${ATTACH}/downstream/intruder`), { protocols: ['bearer', 'not-a-jwt'] });
    expect(raw.ws.protocol).toBe('bearer');
    expect(await raw.closed).toEqual({ code: 1008, reason: 'Authentication failed' });
    expect(raw.messages).toHaveLength(1);
    expect(raw.messages[0]?.isBinary).toBe(true);
    expectRefusalAck(raw.messages[0]?.text, 'Authentication failed');
  });

  it('refuses a link without a token when there is an authorizer', async () => {
    const authorizer = secretAuthorizer();
    await using running = await startListener({ authorizer });
    await using child = await new WebSocketDialer({ url: running.address.url }).dial({ systemId: 'anon', originType: 'downstream' });
    const events = Collector.start(child, 'child');
    expect(await events.untilClosed()).toMatchObject({ code: 1008, reason: 'Authentication failed' });
    expectRefusalAck(events.messages[0], 'Authentication failed');
    expect(authorizer.seen).toEqual([undefined]);
    expect(running.host.links).toEqual([]);
  });

  it('refuses a context that is not authenticated', async () => {
    const authorizer: Authorizer = { authenticate: () => Promise.resolve({ authenticated: false }) };
    await using running = await startListener({ authorizer });
    await using raw = await rawClient(running.url(`${ATTACH}/downstream/c`), { protocols: ['bearer', SECRET] });
    expect(await raw.closed).toEqual({ code: 1008, reason: 'Authentication failed' });
  });

  it('answers an authorizer that throws with "Unhandled error: …" and close 1011 "Internal error"', async () => {
    const authorizer: Authorizer = { authenticate: () => Promise.reject(new Error('boom')) };
    await using running = await startListener({ authorizer });
    await using raw = await rawClient(running.url(`${ATTACH}/downstream/c`), { protocols: ['bearer', SECRET] });
    expect(await raw.closed).toEqual({ code: 1011, reason: 'Internal error' });
    expectRefusalAck(raw.messages[0]?.text, 'Unhandled error: boom');
    expect(running.host.logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'authorizer failed' }));
  });

  it('buffers messages that arrive while authentication runs and delivers them after accept', async () => {
    const gate = deferred<AuthorizationContext | undefined>();
    const authorizer: Authorizer = { authenticate: () => gate.promise };
    await using running = await startListener({ authorizer });
    const accepted = running.host.nextLink();
    await using child = await new WebSocketDialer({ url: running.address.url, tokenProvider: tokenProvider(SECRET) }).dial({
      systemId: 'eager',
      originType: 'downstream',
    });
    child.send('NodeAttach');
    child.send('second');
    child.send('third');
    await eventLoopTurns(20);
    expect(running.host.links).toEqual([]);
    gate.resolve({ authenticated: true });
    const { connector } = await accepted;
    const events = Collector.start(connector, 'parent');
    await events.untilCount(3);
    expect(events.messages).toEqual(['NodeAttach', 'second', 'third']);
  });

  it('does not hand over a link whose peer left during authentication', async () => {
    const gate = deferred<AuthorizationContext | undefined>();
    const authorizer: Authorizer = { authenticate: () => gate.promise };
    await using running = await startListener({ authorizer });
    const raw = await rawClient(running.url(`${ATTACH}/downstream/gone`), { protocols: ['bearer', SECRET] });
    await raw[Symbol.asyncDispose]();
    while (running.listener.activeConnections > 0) await eventLoopTurns(1);
    gate.resolve({ authenticated: true });
    await eventLoopTurns(10);
    expect(running.host.links).toEqual([]);
  });
});
