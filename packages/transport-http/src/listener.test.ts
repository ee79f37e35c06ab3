import { createServer, type IncomingHttpHeaders } from 'node:http';
import { decodeEnvelope, serializeEnvelope, type Authorizer, type FameEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { attachLink, dataEnvelope, nodeAttach, post, startHttpPair, startHttpServer, TestHost } from './fixtures.test.util.js';
import { HttpListener } from './listener.js';

const secretAuthorizer = (secret: string): Authorizer => ({
  authenticate: (credentials) =>
    Promise.resolve(credentials === `Bearer ${secret}` ? { authenticated: true, authMethod: 'test' } : undefined),
});

/** A plain HTTP server recording what a parent POSTs to a (reference-style) child's callback URL. */
async function recordingCallback(): Promise<AsyncDisposable & { url: string; requests: { headers: IncomingHttpHeaders; body: string }[] }> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      response.writeHead(202, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"message_received"}');
    });
  });
  const running = await startHttpServer(server);
  return {
    url: `http://127.0.0.1:${running.port}/fame/v1/ingress/upstream`,
    requests,
    [Symbol.asyncDispose]: running[Symbol.asyncDispose],
  };
}

describe('HttpListener routes and refusals (protocol-core §4.9)', () => {
  it('answers health with the reference document', async () => {
    await using pair = await startHttpPair();
    const response = await fetch(`${pair.base}/fame/v1/ingress/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('{"status":"healthy","listenerType":"HttpListener","listener_type":"HttpListener"}');
  });

  it('accepts a reference-style child: 202 bodies, then POSTs to its callback one at a time with no extension headers', async () => {
    await using pair = await startHttpPair();
    await using callback = await recordingCallback();
    const accepted = pair.host.nextLink();
    const attach = nodeAttach('refchild', {
      callbackGrants: [{ type: 'HttpConnectionGrant', url: callback.url, auth: { type: 'NoAuth' } }],
    });
    const first = await post(`${pair.url}/refchild`, serializeEnvelope(attach));
    expect(first).toMatchObject({ status: 202, body: '{"status":"attach_in_progress"}' });
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('x-fame-link')).toBeNull();
    const { connector, systemId, originType } = await accepted;
    expect({ systemId, originType }).toEqual({ systemId: 'refchild', originType: 'downstream' });
    const received: string[] = [];
    const decoded: (FameEnvelope | undefined)[] = [];
    connector.start({
      onMessage: (m, envelope) => {
        received.push(new TextDecoder().decode(m as Uint8Array));
        decoded.push(envelope);
      },
      onClose: () => {},
    });
    expect(JSON.parse(received[0]!)).toMatchObject({ frame: { type: 'NodeAttach', systemId: 'refchild' } });

    const second = await post(`${pair.url}/refchild`, dataEnvelope({ n: 1 }), { 'content-type': 'application/json' });
    expect(second).toMatchObject({ status: 202, body: '{"status":"message_received"}' });
    expect(received).toHaveLength(2);
    // A message taken at once comes with the envelope the ingress decoded to vet it, so the node does not
    // decode it again; one that waited for start() kept only its bytes (what waits is bounded in bytes).
    expect(decoded).toEqual([undefined, decodeEnvelope(received[1]!)]);

    for (let i = 0; i < 5; i++) connector.send(dataEnvelope({ i }));
    await expect.poll(() => callback.requests.length).toBe(5);
    expect(callback.requests.map((r) => (JSON.parse(r.body) as { frame: { payload: { i: number } } }).frame.payload.i)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    for (const { headers } of callback.requests) {
      expect(headers['content-type']).toBe('application/octet-stream');
      expect(headers['x-fame-link']).toBeUndefined();
      expect(headers['x-fame-seq']).toBeUndefined();
      expect(headers.authorization).toBeUndefined();
    }
  });

  it('presents the token of a BearerTokenHeaderAuth callback grant', async () => {
    await using pair = await startHttpPair();
    await using callback = await recordingCallback();
    const accepted = pair.host.nextLink();
    const auth = { type: 'BearerTokenHeaderAuth', token_provider: { type: 'StaticTokenProvider', token: 'reverse-tok' } };
    const attach = nodeAttach('refchild', { callbackGrants: [{ type: 'HttpConnectionGrant', url: callback.url, auth }] });
    expect((await post(`${pair.url}/refchild`, serializeEnvelope(attach))).status).toBe(202);
    const { connector } = await accepted;
    connector.start({ onMessage: () => {}, onClose: () => {} });
    connector.send(dataEnvelope('hello'));
    await expect.poll(() => callback.requests.length).toBe(1);
    expect(callback.requests[0]!.headers.authorization).toBe('Bearer reverse-tok');
  });

  it('refuses a POST before NodeAttach with 400', async () => {
    await using pair = await startHttpPair();
    expect(await post(`${pair.url}/nobody`, dataEnvelope('x'))).toMatchObject({
      status: 400,
      body: '{"error":"No established connection - NodeAttach required"}',
    });
    expect(pair.host.links).toHaveLength(0);
  });

  it('refuses garbage bodies with 400 and stays up', async () => {
    await using pair = await startHttpPair();
    const invalid = { status: 400, body: '{"error":"Invalid request body - expected FameEnvelope JSON"}' };
    for (const body of ['not json', '{"version":"1.0"}', '[]', '', '{"version":"1.0","id":"x","frame":{"type":"NoSuchFrame"}}']) {
      expect(await post(`${pair.url}/child`, body)).toMatchObject(invalid);
    }
    expect(await post(`${pair.url}/child`, new Uint8Array([0xff, 0xfe, 0x7b]))).toMatchObject(invalid);
    expect((await fetch(`${pair.base}/fame/v1/ingress/health`)).status).toBe(200);
  });

  it('refuses an oversized body with 413 and stays up', async () => {
    await using pair = await startHttpPair({ parent: { maxBodyBytes: 10_000 } });
    const big = dataEnvelope('x'.repeat(12_000));
    expect(await post(`${pair.url}/child`, big)).toMatchObject({ status: 413, body: '{"error":"Request body too large"}' });
    // Within the read slack the envelope limit still applies (checked while decoding).
    expect((await post(`${pair.url}/child`, dataEnvelope('x'.repeat(10_100)))).status).toBe(413);
    expect((await fetch(`${pair.base}/fame/v1/ingress/health`)).status).toBe(200);
  });

  it('refuses a NodeAttach for another id, without a callback grant, or to itself', async () => {
    await using pair = await startHttpPair();
    expect(await post(`${pair.url}/alice`, serializeEnvelope(nodeAttach('bob')))).toMatchObject({
      status: 400,
      body: '{"error":"Child ID mismatch"}',
    });
    expect(await post(`${pair.url}/alice`, serializeEnvelope(nodeAttach('alice')))).toMatchObject({
      status: 400,
      body: '{"error":"No suitable connector found for child alice"}',
    });
    const websocketOnly = nodeAttach('alice', { callbackGrants: [{ type: 'WebSocketConnectionGrant', url: 'ws://127.0.0.1:1/x' }] });
    expect((await post(`${pair.url}/alice`, serializeEnvelope(websocketOnly))).status).toBe(400);
    const unknownAuth = nodeAttach('alice', {
      callbackGrants: [{ type: 'HttpConnectionGrant', url: 'http://127.0.0.1:1/', auth: { type: 'Kerberos' } }],
    });
    expect(await post(`${pair.url}/alice`, serializeEnvelope(unknownAuth))).toMatchObject({
      status: 400,
      body: '{"error":"Unsupported callback grant auth"}',
    });
    expect((await post(`${pair.url}/sentinel`, serializeEnvelope(nodeAttach('sentinel')))).status).toBe(400);
    expect(pair.host.links).toHaveLength(0);
  });

  it('answers 401 without a token and with a bad one, through the authorizer', async () => {
    await using pair = await startHttpPair({ parent: { authorizer: secretAuthorizer('s3cret') } });
    const failed = { status: 401, body: '{"error":"Authentication failed"}' };
    expect(await post(`${pair.url}/child`, serializeEnvelope(nodeAttach('child')))).toMatchObject(failed);
    expect(await post(`${pair.url}/child`, serializeEnvelope(nodeAttach('child')), { authorization: 'Bearer wrong' })).toMatchObject(
      failed,
    );
    expect(pair.host.links).toHaveLength(0);

    // A dialer with the right token attaches; its link carries the authorization context.
    const dialer = pair.dialer({ tokenProvider: { getToken: () => Promise.resolve({ value: 's3cret' }) } });
    const { link } = await attachLink(pair, 'child', dialer);
    expect(link.authorization).toMatchObject({ authenticated: true, authMethod: 'test' });
  });

  it('leaves vetting the NodeAttach to the node, as every listener does: it hands the link over with the principal', async () => {
    const vetted: string[] = [];
    const authorizer: Authorizer = {
      ...secretAuthorizer('s3cret'),
      authorizeAttach: (attach) => (vetted.push(attach.systemId), Promise.resolve(false)),
    };
    await using pair = await startHttpPair({ parent: { authorizer } });
    const accepted = pair.host.nextLink();
    const grants = { callbackGrants: [{ type: 'HttpConnectionGrant', url: 'http://127.0.0.1:1/' }] };
    expect(
      (await post(`${pair.url}/mallory`, serializeEnvelope(nodeAttach('mallory', grants)), { authorization: 'Bearer s3cret' })).status,
    ).toBe(202);
    // The fabric calls `authorizeAttach` and answers NodeAttachAck ok:false on the link (tools/interop, http-security-seam).
    expect((await accepted).authorization).toMatchObject({ authenticated: true, authMethod: 'test' });
    expect(vetted).toEqual([]);
    expect(pair.parent.authorizer).toBe(authorizer);
  });

  it('answers 404, 405, and 503 where the route or node is missing', async () => {
    await using pair = await startHttpPair();
    expect((await post(`${pair.base}/fame/v1/ingress/sideways/x`, dataEnvelope(1))).status).toBe(404);
    expect((await fetch(`${pair.base}/elsewhere`)).status).toBe(404);
    const wrongMethod = await fetch(`${pair.url}/child`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, DELETE');
    expect(await post(`${pair.base}/fame/v1/ingress/upstream`, dataEnvelope(1))).toMatchObject({
      status: 503,
      body: '{"error":"No upstream connector available"}',
    });
    await using lonely = new HttpListener({ host: '127.0.0.1' });
    const { port } = await lonely.start();
    expect(await post(`http://127.0.0.1:${port}/fame/v1/ingress/downstream/x`, serializeEnvelope(nodeAttach('x')))).toMatchObject({
      status: 503,
      body: '{"error":"Node not initialized"}',
    });
  });

  it('answers 503 while the node is not ready', async () => {
    const host = new TestHost();
    host.ready = false;
    await using pair = await startHttpPair({ host });
    const grants = { callbackGrants: [{ type: 'HttpConnectionGrant', url: 'http://127.0.0.1:1/' }] };
    expect((await post(`${pair.url}/child`, serializeEnvelope(nodeAttach('child', grants)))).status).toBe(503);
  });

  it('closes an old link whose child attached again (409 for its requests)', async () => {
    await using pair = await startHttpPair();
    const dialer = pair.dialer();
    const first = await attachLink(pair, 'child', dialer);
    first.parent.start({ onMessage: () => {}, onClose: () => {} });
    await attachLink(pair, 'child', dialer);
    // The parent now routes `child` to the new link: the old child end's next POST is refused.
    first.child.send(dataEnvelope('late'));
    const info = await first.child.whenClosed();
    expect(info).toMatchObject({ code: 1000, initiator: 'local' });
    expect(info.error).toMatchObject({ name: 'HttpStatusError', status: 409, code: 'CONNECTOR_CLOSED' });
  });
});
