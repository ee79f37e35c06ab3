/**
 * The HTTP stateless transport across implementations (protocol-core §4.9): a reference agent
 * admitted with `direct-http` on our sentinel's HTTP ingress (which shares its port with the
 * WebSocket listener), and our HTTP connector on the reference sentinel's ingress.
 */
import type { ChildInfo, DetachInfo } from '@naylence/fabric';
import { describe, expect, it } from 'vitest';
import {
  runReferenceClient,
  startReferenceAgent,
  startReferenceHttpAgent,
  startReferenceSentinel,
  ingressUrl,
  uniqueId,
} from './harness.js';
import { connectOurNode, fibonacci, startOurAgent } from './ours.js';
import { connectOurHttpNode, recordingAuthorizer, startOurDualSentinel, startOurHttpAgent } from './ours-http.js';
import { startTokenServer } from './token-server.js';

describe('interop: HTTP transport', () => {
  it('H1. a reference direct-http agent on our sentinel’s HTTP ingress serves the reference client and ours', async () => {
    await using tokens = await startTokenServer('http-secret');
    const authorizer = recordingAuthorizer('http-secret');
    await using sentinel = await startOurDualSentinel({ id: uniqueId('our-sentinel'), httpAuthorizer: authorizer });
    await using agent = await startReferenceHttpAgent(sentinel.ingressUrl, { tokenUrl: tokens.url, capability: 'math.v1' });

    expect(sentinel.sentinel.linkedSystemIds).toContain(agent.id);
    expect(tokens.requests[0]).toMatchObject({ grant_type: 'client_credentials', client_id: 'interop-client', scope: 'node.connect' });
    expect(new Set(authorizer.presented)).toEqual(new Set(['Bearer http-secret']));

    // The reference client over WebSocket, on the same port as the HTTP ingress.
    const run = await runReferenceClient(sentinel.url, 'add,fib,cap', { n: 100 });
    expect(run.exit.code).toBe(0);
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: fibonacci(100) });
    expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });

    // Our clients, over WebSocket and over HTTP.
    await using wsClient = await connectOurNode(sentinel.url, { id: uniqueId('our-ws-client') });
    expect(await wsClient.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
    expect(await wsClient.invokeStream('math@fame.fabric', 'fib', { n: 100 }).toArray()).toEqual(fibonacci(100));
    await using httpClient = await connectOurHttpNode(sentinel.ingressUrl, { id: uniqueId('our-http-client'), token: 'http-secret' });
    expect(await httpClient.fabric.invoke('math@fame.fabric', 'whoami')).toBe(agent.id);
    expect(await httpClient.fabric.invokeStream('math@fame.fabric', 'fib', { n: 100 }).toArray()).toEqual(fibonacci(100));
  });

  it('H2. our HTTP agent on the reference sentinel’s HTTP ingress serves the reference client; our HTTP client calls a reference agent', async () => {
    await using sentinel = await startReferenceSentinel();
    await using agent = await startOurHttpAgent(ingressUrl(sentinel.port), { id: uniqueId('our-http-agent'), capability: 'math.v1' });
    expect(agent.fabric.physicalPath).toBe(`/${sentinel.id}/${agent.fabric.node.systemId}`);

    const run = await runReferenceClient(sentinel.url, 'add,fib,cap', { n: 100 });
    expect(run.exit.code).toBe(0);
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: fibonacci(100) });
    expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });
    await agent.stop();

    await using refAgent = await startReferenceAgent(sentinel.url);
    await using client = await connectOurHttpNode(ingressUrl(sentinel.port), { id: uniqueId('our-http-client') });
    expect(await client.fabric.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
    expect(await client.fabric.invoke('math@fame.fabric', 'whoami')).toBe(refAgent.id);
    expect(await client.fabric.invokeStream('math@fame.fabric', 'fib', { n: 100 }).toArray()).toEqual(fibonacci(100));
  });

  it('H3. one port serves both transports: our HTTP client reaches our WebSocket agent; both health routes answer', async () => {
    await using sentinel = await startOurDualSentinel({ id: uniqueId('our-sentinel') });
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent') });
    await using client = await connectOurHttpNode(sentinel.ingressUrl, { id: uniqueId('our-http-client') });
    expect(await client.fabric.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);
    const health = await fetch(`http://127.0.0.1:${sentinel.port}/fame/v1/ingress/health`);
    expect(await health.json()).toEqual({ status: 'healthy', listenerType: 'HttpListener', listener_type: 'HttpListener' });
    const wsHealth = await fetch(`http://127.0.0.1:${sentinel.port}/fame/v1/attach/health`);
    expect(await wsHealth.json()).toMatchObject({ status: 'healthy', listenerType: 'WebSocketListener' });
  });

  it('H4. the reference sentinel honours our reverse auth: it presents the token of our callback grant', async () => {
    await using sentinel = await startReferenceSentinel();
    const callbackAuthorizer = recordingAuthorizer('reverse-token');
    const tokenProvider = { getToken: () => Promise.resolve({ value: 'reverse-token', expiresAt: new Date(Date.now() + 3_600_000) }) };
    await using agent = await startOurHttpAgent(ingressUrl(sentinel.port), {
      id: uniqueId('our-http-agent'),
      callbackAuth: { authorizer: callbackAuthorizer, tokenProvider },
    });
    const run = await runReferenceClient(sentinel.url, 'add');
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    // Every callback (NodeAttachAck, acks, the RPC request) carried our token.
    expect(callbackAuthorizer.presented.length).toBeGreaterThanOrEqual(3);
    expect(new Set(callbackAuthorizer.presented)).toEqual(new Set(['Bearer reverse-token']));
    expect(agent.fabric.physicalPath).toBe(`/${sentinel.id}/${agent.fabric.node.systemId}`);
  });

  it('H5. refusals as the reference agent sees them: a wrong token (401) and a callback URL outside the allow-list (400)', async () => {
    await using tokens = await startTokenServer('not-the-secret');
    const seen: string[] = [];
    await using sentinel = await startOurDualSentinel({
      id: uniqueId('our-sentinel'),
      httpToken: 'http-secret',
      http: { allowCallbackUrl: (url) => (seen.push(url.href), url.hostname === '127.0.0.1') },
    });
    const refused = await startReferenceHttpAgent(sentinel.ingressUrl, { tokenUrl: tokens.url }).catch((e: unknown) => e);
    expect(String(refused)).toContain('Connector closed while waiting for NodeAttachAck (code=401, reason=401 Unauthorized)');
    expect(sentinel.sentinel.linkedSystemIds).toHaveLength(0);

    // FAME_PUBLIC_URL is what the reference advertises as its callback (plus the upstream path).
    await using goodTokens = await startTokenServer('http-secret');
    const elsewhere = await startReferenceHttpAgent(sentinel.ingressUrl, {
      tokenUrl: goodTokens.url,
      publicUrl: 'http://agent.invalid:9999/edge',
    }).catch((e: unknown) => e);
    expect(seen).toEqual(['http://agent.invalid:9999/edge/fame/v1/ingress/upstream']);
    expect(String(elsewhere)).toContain('code=400');
  });

  it('H6. the reference’s own callback auth fails (FINDINGS): an overlay-callback agent refuses the callbacks it asked for', async () => {
    await using tokens = await startTokenServer('http-secret');
    const detached: (ChildInfo & DetachInfo)[] = [];
    await using sentinel = await startOurDualSentinel({
      id: uniqueId('our-sentinel'),
      hooks: [{ onChildDetached: (info) => detached.push(info) }],
    });
    const failed = await startReferenceHttpAgent(sentinel.ingressUrl, {
      tokenUrl: tokens.url,
      env: {
        FAME_SECURITY_PROFILE: 'overlay-callback',
        FAME_HMAC_SECRET: 'h'.repeat(64),
        FAME_JWT_REVERSE_AUTH_AUDIENCE: 'dev.naylence.ai',
      },
    }).catch((e: unknown) => e);
    // Its listener could not build the reverse-auth grant before the node id was confirmed, so the
    // grant says NoAuth; our sentinel called back without a token, the agent answered 401, and
    // it waited for a NodeAttachAck that could not reach it.
    expect(String(failed)).toContain('Timeout waiting for NodeAttachAck');
    expect(detached[0]).toMatchObject({ code: 1008, reason: 'HTTP 401 Authentication failed' });
    expect(sentinel.sentinel.linkedSystemIds).toHaveLength(0);
  });
});
