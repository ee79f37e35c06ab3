import { createServer } from 'node:http';
import { encodeEnvelope, serializeEnvelope, type Authorizer, type IncomingConnection } from '@naylence/core';
import { captureLogger, rawTcp } from '@naylence-tools/transport-compliance';
import { describe, expect, it } from 'vitest';
import { dataEnvelope, nodeAttach, post, startHttpPair, startHttpServer, TestHost } from './fixtures.test.util.js';
import { HttpListener } from './listener.js';
import { sharedServer } from './shared-server.js';

const DOWNSTREAM = '/fame/v1/ingress/downstream';

/** A callback server for a child: `answer` says whether it answers the parent's POSTs (202) or leaves them hanging. */
async function callbackServer(answer: boolean): Promise<AsyncDisposable & { url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    if (answer) request.on('end', () => response.writeHead(202).end('{"status":"message_received"}'));
  });
  const running = await startHttpServer(server);
  return { url: `http://127.0.0.1:${running.port}/fame/v1/ingress/upstream`, [Symbol.asyncDispose]: running[Symbol.asyncDispose] };
}

function attachBody(systemId: string, callbackUrl: string): string {
  return serializeEnvelope(
    nodeAttach(systemId, { callbackGrants: [{ type: 'HttpConnectionGrant', url: callbackUrl, auth: { type: 'NoAuth' } }] }),
  );
}

/** A host that answers every link's NodeAttach at once (as a sentinel does), so the link's first callback POST goes out. */
function answeringHost(): TestHost {
  const host = new TestHost();
  host.onAccept = (link: IncomingConnection) => {
    link.connector.start({ onMessage: () => {}, onClose: () => {} });
    link.connector.send(encodeEnvelope(nodeAttach('ack-stand-in')));
  };
  return host;
}

describe('HttpListener edge limits', () => {
  it('refuses a body over the limit with 413 and closes the connection without reading the rest', async () => {
    await using pair = await startHttpPair({ parent: { maxBodyBytes: 10_000 } });
    await using client = await rawTcp(Number(new URL(pair.base).port));
    client.socket.write(`POST ${DOWNSTREAM}/big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n${'x'.repeat(1000)}`);
    const answer = await client.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('{"error":"Request body too large"}');
    expect((await fetch(`${pair.base}/fame/v1/ingress/health`)).status).toBe(200);
  });

  it('closes connections that never finish their headers or body, on its own server and on a shared one', async () => {
    const limits = { headersTimeoutMs: 100, receiveTimeoutMs: 200 };
    await using pair = await startHttpPair({ parent: limits });
    const handlers = [new HttpListener()];
    await using shared = await startHttpServer(sharedServer(handlers, limits));
    for (const port of [Number(new URL(pair.base).port), shared.port]) {
      await using silent = await rawTcp(port);
      await using dripping = await rawTcp(port);
      dripping.socket.write(`POST ${DOWNSTREAM}/slow HTTP/1.1\r\nHost: x\r\n`); // headers never finish
      await using slowBody = await rawTcp(port);
      slowBody.socket.write(`POST ${DOWNSTREAM}/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"ver`); // nor the body
      // Closed by the server (with a 408 where it still can): no timing asserted, only that it happens.
      for (const client of [silent, dripping, slowBody]) expect(await client.closed).toMatch(/^(|HTTP\/1\.1 408 [^]*)$/);
    }
  });

  it('answers 503 past the connection cap, on its own server and on a shared one, and takes connections again', async () => {
    await using pair = await startHttpPair({ parent: { maxConnections: 2 } });
    await using shared = await startHttpServer(sharedServer([], { maxConnectionsPerAddress: 2 }));
    for (const port of [Number(new URL(pair.base).port), shared.port]) {
      await using first = await rawTcp(port);
      await using _second = await rawTcp(port);
      await using third = await rawTcp(port);
      expect(await third.closed).toMatch(/^HTTP\/1\.1 503 /);
      await first[Symbol.asyncDispose]();
      if (port !== shared.port) await expect.poll(() => pair.parent.stats.connections).toBe(1);
      await using fourth = await rawTcp(port);
      fourth.socket.write(`GET /fame/v1/ingress/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(await fourth.closed).toMatch(/^HTTP\/1\.1 (200|404) /);
    }
    expect(pair.parent.stats.refusedOverCap).toBe(1);
  });

  it('caps HTTP links (503) and releases a closed link', async () => {
    const host = answeringHost();
    await using pair = await startHttpPair({ parent: { maxConnections: 2 }, host });
    await using callback = await callbackServer(true);
    for (const id of ['a', 'b']) expect((await post(`${pair.url}/${id}`, attachBody(id, callback.url))).status).toBe(202);
    expect(await post(`${pair.url}/c`, attachBody('c', callback.url))).toMatchObject({ status: 503, body: '{"error":"Too many links"}' });
    expect(pair.parent.stats).toMatchObject({ links: 2, linksRefused: 1 });
    await host.links[0]!.connector.close();
    await expect.poll(() => pair.parent.stats.links).toBe(1);
    expect((await post(`${pair.url}/c`, attachBody('c', callback.url))).status).toBe(202);
  });

  it('keeps the state of many distinct unattached system ids bounded, and expires it', async () => {
    const host = answeringHost();
    const logger = captureLogger();
    await using pair = await startHttpPair({ parent: { maxPendingLinks: 5, pendingLinkTimeoutMs: 200, logger }, host });
    await using blackHole = await callbackServer(false);
    await using honest = await callbackServer(true);
    // An honest child whose callback answers completes its attach: it is not pending.
    expect((await post(`${pair.url}/honest`, attachBody('honest', honest.url))).status).toBe(202);
    await expect.poll(() => pair.parent.stats.pendingLinks).toBe(0);

    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await post(`${pair.url}/ghost-${i}`, attachBody(`ghost-${i}`, blackHole.url))).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 503)).toHaveLength(45);
    expect(pair.parent.stats).toMatchObject({ pendingLinks: 5, pendingRefused: 45, links: 6 });

    // Their attach never completes: they are closed, and new attaches are taken again.
    await expect.poll(() => pair.parent.stats.pendingExpired, { timeout: 5_000 }).toBe(5);
    await expect.poll(() => pair.parent.stats.links).toBe(1);
    for (const link of host.links.slice(1)) expect(link.connector.state).toBe('closed');
    expect(host.links[0]!.connector.state).toBe('open'); // the honest child stays
    expect((await post(`${pair.url}/late`, attachBody('late', honest.url))).status).toBe(202);
    // 45 refusals, at most a burst of lines (the rest counted as suppressed in a later line).
    expect(logger.lines.filter((l) => /pending-cap/.test(l.message)).length).toBeLessThanOrEqual(10);
  });

  it('gives an id back to its live link when a second attach for it is refused (no takeover by a failed attach)', async () => {
    const host = new TestHost();
    await using pair = await startHttpPair({ host });
    await using honest = await callbackServer(true);
    await using blackHole = await callbackServer(false);
    expect((await post(`${pair.url}/victim`, attachBody('victim', honest.url))).status).toBe(202);
    const victim = host.links[0]!.connector;
    const received: unknown[] = [];
    victim.start({ onMessage: (m) => received.push(m), onClose: () => {} });
    // Another attach for the id: the node refuses it (here: closes it, as the sentinel does for an impostor).
    expect((await post(`${pair.url}/victim`, attachBody('victim', blackHole.url))).status).toBe(202);
    await host.links[1]!.connector.close(1008, 'System id in use');
    // The victim's requests still reach its link.
    expect((await post(`${pair.url}/victim`, dataEnvelope({ n: 1 }))).status).toBe(202);
    expect(received).toHaveLength(2); // its NodeAttach and this message
    expect(victim.state).toBe('open');
  });

  it('slows down authentication after failures (429 past the limit), and a success clears the address', async () => {
    const authorizer: Authorizer = {
      authenticate: (credentials) => Promise.resolve(credentials === 'Bearer good' ? { authenticated: true } : undefined),
    };
    await using pair = await startHttpPair({ parent: { authorizer, authFailureMaxDelayMs: 400 } });
    const bad = { authorization: 'Bearer wrong' };
    for (let i = 0; i < 3; i++) expect((await post(`${pair.url}/guess`, attachBody('guess', 'http://127.0.0.1:1/'), bad)).status).toBe(401);
    expect(pair.parent.stats).toMatchObject({ authFailures: 3, delayedAuthAttempts: 2 });
    // Guessing in parallel does not help: the attempts queue for their slots, and past the limit they are refused.
    const parallel = await Promise.all(
      Array.from({ length: 8 }, () => post(`${pair.url}/guess`, attachBody('guess', 'http://127.0.0.1:1/'), bad)),
    );
    const throttled = parallel.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]!.body).toBe('{"error":"Too many failed authentication attempts"}');
    expect(pair.parent.stats.throttledAuthAttempts).toBe(throttled.length);
    // An honest request waits its turn, succeeds, and clears the address.
    await expect
      .poll(
        async () => (await post(`${pair.url}/guess`, attachBody('guess', 'http://127.0.0.1:1/'), { authorization: 'Bearer good' })).status,
        { timeout: 5_000 },
      )
      .toBe(202);
    const delayed = pair.parent.stats.delayedAuthAttempts;
    expect((await post(`${pair.url}/other`, attachBody('other', 'http://127.0.0.1:1/'), { authorization: 'Bearer good' })).status).toBe(
      202,
    );
    expect(pair.parent.stats.delayedAuthAttempts).toBe(delayed);
  });

  it('keeps its log small while refusing over and over: clipped peer input, rate-limited lines', async () => {
    const logger = captureLogger();
    await using pair = await startHttpPair({
      parent: { logger, authorizer: { authenticate: () => Promise.resolve(undefined) }, authFailureMaxDelayMs: 0 },
    });
    const longId = `\u001b[31m${'z'.repeat(4_000)}`;
    for (let i = 0; i < 100; i++) expect((await post(`${pair.url}/${encodeURIComponent(longId)}`, 'garbage')).status).toBe(401);
    const lines = logger.lines.filter((l) => l.level !== 'debug').map((l) => JSON.stringify({ ...l.bindings, msg: l.message }));
    expect(lines.length).toBeLessThanOrEqual(12);
    for (const line of lines) expect(line.length).toBeLessThan(600);
    expect(lines.join('\n')).not.toContain('\u001b');
  });
});
