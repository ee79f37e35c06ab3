import { createServer } from 'node:http';
import { rawTcp, TestHost } from '@naylence-tools/transport-compliance';
import { createEnvelope, serializeEnvelope, type NodeAttachFrame } from '@naylence/core';
import { HttpDialer, HttpListener } from '@naylence/transport-http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ingressPlugin, type IngressPluginOptions } from './ingress.js';

const attach = (systemId: string, fields: Partial<NodeAttachFrame> = {}) =>
  serializeEnvelope(createEnvelope({ frame: { type: 'NodeAttach', systemId, instanceId: 'i-1', originType: 'downstream', ...fields } }));
const data = (payload: unknown) => serializeEnvelope(createEnvelope({ frame: { type: 'Data', payload } }));

async function startApp(options: { authorize?: boolean; limits?: IngressPluginOptions['serverLimits'] } = {}) {
  // A server that checks its timeouts often, as a host that wants short ones creates it.
  const app = Fastify({ serverFactory: (handler) => createServer({ connectionsCheckingInterval: 20 }, handler) });
  app.get('/other', () => ({ mine: true }));
  const listener = new HttpListener({
    server: app.server,
    ...(options.authorize && {
      authFailureMaxDelayMs: 300,
      authorizer: { authenticate: (c: string | undefined) => Promise.resolve(c === 'Bearer ok' ? { authenticated: true } : undefined) },
    }),
  });
  await app.register(ingressPlugin, { listener, bodyLimit: 4096, ...(options.limits !== undefined && { serverLimits: options.limits }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const node = new TestHost();
  const { url, port } = await listener.listen(node);
  return {
    app,
    listener,
    node,
    url,
    base: `http://127.0.0.1:${port}`,
    [Symbol.asyncDispose]: async () => {
      await listener.close();
      await app.close();
    },
  };
}

describe('Fastify ingress plugin', () => {
  it('serves the ingress routes next to the app’s own, with the listener’s codes and bodies', async () => {
    await using served = await startApp();
    expect(await (await fetch(`${served.base}/other`)).json()).toEqual({ mine: true });
    const health = await fetch(`${served.base}/fame/v1/ingress/health`);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await health.text()).toBe('{"status":"healthy","listenerType":"HttpListener","listener_type":"HttpListener"}');
    const early = await fetch(`${served.url}/nobody`, { method: 'POST', body: data(1), headers: { 'content-type': 'application/json' } });
    expect({ status: early.status, body: await early.text() }).toEqual({
      status: 400,
      body: '{"error":"No established connection - NodeAttach required"}',
    });
    const garbage = await fetch(`${served.url}/x`, {
      method: 'POST',
      body: 'nope',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(garbage.status).toBe(400);
    const big = await fetch(`${served.url}/x`, {
      method: 'POST',
      body: data('x'.repeat(5000)),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect({ status: big.status, body: await big.text() }).toEqual({ status: 413, body: '{"error":"Request body too large"}' });
  });

  it('carries a link from an HttpDialer both ways', async () => {
    await using served = await startApp();
    await using callback = new HttpListener({ host: '127.0.0.1' });
    const child = await new HttpDialer({ url: served.url, callback }).dial({ systemId: 'agent', originType: 'downstream' });
    const fromChild: unknown[] = [];
    const fromParent: unknown[] = [];
    child.start({ onMessage: (m) => fromParent.push(m), onClose: () => {} });
    child.send(attach('agent', child.attachFields()));
    child.send(data('hello'));
    await expect.poll(() => served.node.links.length).toBe(1);
    const parent = served.node.links[0]!.connector;
    parent.start({ onMessage: (m) => fromChild.push(m), onClose: () => {} });
    parent.send(data('welcome'));
    await expect.poll(() => fromChild.length).toBe(2);
    await expect.poll(() => fromParent.length).toBe(1);
    await child.close(4000, 'bye');
    await expect.poll(() => parent.state).toBe('closed');
  });

  it('answers 401 without the token', async () => {
    await using served = await startApp({ authorize: true });
    const response = await fetch(`${served.url}/agent`, { method: 'POST', body: attach('agent') });
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 401, body: '{"error":"Authentication failed"}' });
  });

  it('caps and times out the connections of the host server', async () => {
    await using served = await startApp({ authorize: true, limits: { maxConnections: 2, headersTimeoutMs: 100, receiveTimeoutMs: 200 } });
    const port = Number(new URL(served.base).port);
    await using silent = await rawTcp(port);
    await using dripping = await rawTcp(port);
    dripping.socket.write('POST /fame/v1/ingress/downstream/slow HTTP/1.1\r\nHost: x\r\n');
    await using third = await rawTcp(port);
    expect(await third.closed).toMatch(/^HTTP\/1\.1 503 /);
    await silent.closed; // closed by the server: the headers never came
    await dripping.closed;
  });

  it('throttles failed authentication', async () => {
    await using served = await startApp({ authorize: true });
    const first = await fetch(`${served.url}/agent`, { method: 'POST', body: attach('agent'), headers: { authorization: 'Bearer no' } });
    expect(first.status).toBe(401);
    const guesses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${served.url}/agent`, { method: 'POST', body: attach('agent'), headers: { authorization: 'Bearer no' } }),
      ),
    );
    expect(guesses.map((r) => r.status)).toContain(429);
    expect(served.listener.stats.throttledAuthAttempts).toBeGreaterThan(0);
  });

  it('leaves the host server alone with serverLimits: false', async () => {
    await using served = await startApp({ limits: false });
    const untouched = createServer();
    expect(served.app.server.requestTimeout).toBe(untouched.requestTimeout);
    expect(served.app.server.headersTimeout).toBe(untouched.headersTimeout);
  });
});
