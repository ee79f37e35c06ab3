/**
 * Hostile peers against our sentinel over real sockets: nobody takes over an address, a node,
 * a path or another node's sid; peers need their own authorization and learn only the routes
 * they may.
 */
import { FlowFlags, ResponseType, randomId, secureDigest, type Authorizer } from '@naylence/core';
import { sharedSecretAuthorizer } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { connectOurNode, startOurAgent, startOurSentinel } from './ours.js';
import { RawClient } from './raw-ws.js';

/** Accepts any token; the token itself is the subject (`sub`), except `shared`, which names nobody. */
const subjects: Authorizer = {
  authenticate: (credentials) => {
    const token = credentials?.replace(/^Bearer /, '') ?? '';
    return Promise.resolve({ authenticated: true, principal: token, ...(token !== 'shared' && { claims: { sub: token } }) });
  },
};

describe('hostile peers: ownership', () => {
  it('refuses a second link’s AddressBind of a live link’s address; the owner keeps serving, also after the impostor leaves', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using agent = await startOurAgent(sentinel.url, { id: uniqueId('agent') });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client') });
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agent.node.systemId);

    const impostor = new RawClient(sentinel.url);
    await impostor.attach();
    const taken = await impostor.bind('math@fame.fabric');
    expect(taken.frame).toMatchObject({ type: 'AddressBindAck', ok: false, code: 'ADDRESS_IN_USE', address: 'math@fame.fabric' });
    // a physical address under another node's path is not the impostor's either
    const foreign = await impostor.bind(`rpc@${agent.physicalPath}`);
    expect(foreign.frame).toMatchObject({ ok: false, code: 'ADDRESS_IN_USE' });
    // pools are for sharing: two links join one pool
    expect((await impostor.bind('math@*.pool.example')).frame).toMatchObject({ ok: true });
    await using member = new RawClient(sentinel.url);
    await member.attach();
    expect((await member.bind('math@*.pool.example')).frame).toMatchObject({ ok: true });
    expect(sentinel.sentinel.metrics.bindRefusals).toBe(2);

    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agent.node.systemId);
    await impostor[Symbol.asyncDispose]();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agent.node.systemId);
  });

  it('lets the same node bind its address again after a reconnect', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    const id = uniqueId('agent');
    const first = await startOurAgent(sentinel.url, { id });
    await first.stop();
    await using second = await startOurAgent(sentinel.url, { id });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client') });
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(id);
    expect(second.node.isAttached).toBe(true);
  });

  it('refuses a NodeAttach with a live link’s system id (a shared secret names no node); the owner keeps serving', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), token: 's3cret' });
    const victimId = uniqueId('victim');
    await using victim = await startOurAgent(sentinel.url, { id: victimId, token: 's3cret' });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client'), token: 's3cret' });

    await using impostor = new RawClient(sentinel.url, victimId, 's3cret');
    const refused = await impostor.attach();
    expect(refused.frame).toMatchObject({ type: 'NodeAttachAck', ok: false, code: 'SYSTEM_ID_IN_USE' });
    expect(await impostor.closed).toMatchObject({ code: 1008 });
    expect(sentinel.sentinel.metrics.attachRefusals).toBe(1);

    expect(victim.node.isAttached).toBe(true);
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(victimId);
  });

  it('lets the same token subject replace its live link (as the reference does), and nobody else', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), listener: { authorizer: subjects } });
    const id = uniqueId('twin');
    await using first = await startOurAgent(sentinel.url, { id, token: 'alice', reconnect: { initialDelayMs: 60_000 } });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client'), token: 'carol' });

    await using mallory = new RawClient(sentinel.url, id, 'mallory');
    expect((await mallory.attach()).frame).toMatchObject({ ok: false, code: 'SYSTEM_ID_IN_USE' });
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(id);

    await using alice = new RawClient(sentinel.url, id, 'alice');
    expect((await alice.attach()).frame).toMatchObject({ ok: true });
    await expect.poll(() => first.node.isAttached).toBe(false);
  });

  it('refuses system ids that would place a node under another one’s path, at the listener', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using _victim = await startOurAgent(sentinel.url, { id: 'node-a' });
    for (const id of ['node-a%2Fevil', 'node-a%252Fevil', 'x%00y', 'x'.repeat(200)]) {
      await using raw = new RawClient(sentinel.url, id);
      expect(await raw.closed, id).toEqual({ code: 1008, reason: 'Invalid system id' });
    }
    expect(sentinel.sentinel.linkedSystemIds).toEqual(['node-a']);
  });

  it('NACKs routed envelopes whose sid names another node (the sentinel, another child); its own sid passes', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using agent = await startOurAgent(sentinel.url, { id: uniqueId('agent') });
    await using raw = new RawClient(sentinel.url);
    const ack = await raw.attach();
    const ownPath = (ack.frame as { assignedPath: string }).assignedPath;
    const replyTo = `inbox@${ownPath}`;
    const call = (sid: string) =>
      raw.send({
        sid,
        to: 'math@fame.fabric',
        replyTo,
        rtype: ResponseType.REPLY,
        corrId: randomId(),
        frame: { type: 'Data', payload: { jsonrpc: '2.0', id: randomId(), method: 'whoami', params: {} } },
      });
    for (const path of [sentinel.fabric.physicalPath, agent.physicalPath]) {
      const forged = call(await secureDigest(path));
      const nack = await raw.next((e) => e.frame.type === 'DeliveryAck' && (e.frame as { refId?: string }).refId === forged.id);
      expect(nack.frame).toMatchObject({ ok: false, code: 'UNAUTHORIZED_ROUTE' });
      expect((nack.flowFlags ?? 0) & FlowFlags.RESET).toBe(FlowFlags.RESET);
    }
    expect(sentinel.sentinel.metrics.sidMismatches).toBe(2);
    const honest = call(await secureDigest(ownPath));
    const reply = await raw.next((e) => e.corrId === honest.corrId);
    expect(reply.frame).toMatchObject({ type: 'Data', payload: { result: agent.node.systemId } });
  });

  it('NACKs an unroutable request with RESET in flowFlags (protocol-core §5.5)', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub') });
    await using raw = new RawClient(sentinel.url);
    const ack = await raw.attach();
    const request = raw.send({
      to: 'nobody@fame.fabric',
      replyTo: `inbox@${(ack.frame as { assignedPath: string }).assignedPath}`,
      rtype: ResponseType.REPLY,
      corrId: randomId(),
      frame: { type: 'Data', payload: null },
    });
    const nack = await raw.next((e) => e.corrId === request.corrId);
    expect(nack.frame).toMatchObject({ type: 'DeliveryAck', ok: false, code: 'NO_ROUTE', reason: 'Unroutable to nobody@fame.fabric' });
    expect((nack.flowFlags ?? 0) & FlowFlags.RESET).toBe(FlowFlags.RESET);
  });
});

describe('hostile peers: peer links', () => {
  it('refuses a peer attach with a child’s token, and lets an authorized peer learn only the logicals it may', async () => {
    await using sentinel = await startOurSentinel({
      id: uniqueId('hub'),
      token: 'child-secret',
      listener: { peerAuthorizer: sharedSecretAuthorizer({ secret: 'peer-secret' }) },
      sentinel: { peerLogicals: ['shared.example'] },
    });
    const peerUrl = sentinel.url.replace(/\/downstream$/, '/peer');

    await using intruder = new RawClient(peerUrl, uniqueId('intruder'), 'child-secret');
    await intruder.open();
    expect(await intruder.closed).toEqual({ code: 1008, reason: 'Authentication failed' });

    await using peer = new RawClient(peerUrl, uniqueId('peer'), 'peer-secret');
    expect((await peer.attach('peer')).frame).toMatchObject({ ok: true });
    await using agent = await connectOurNode(sentinel.url, { id: uniqueId('agent'), token: 'child-secret' });
    await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
    await agent.serve('echo@shared.example', { echo: (v: unknown) => v });
    const bind = await peer.next((e) => e.frame.type === 'AddressBind');
    expect(bind.frame).toMatchObject({ address: 'echo@shared.example' });
    expect(peer.envelopes.filter((e) => e.frame.type === 'AddressBind').map((e) => (e.frame as { address: string }).address)).toEqual([
      'echo@shared.example',
    ]);
  });

  it('refuses every peer link on a listener that authenticates children but has no peer authorizer', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('hub'), token: 's3cret' });
    await using peer = new RawClient(sentinel.url.replace(/\/downstream$/, '/peer'), uniqueId('peer'), 's3cret');
    await peer.open();
    const refusal = await peer.next((e) => e.frame.type === 'NodeAttachAck');
    expect(refusal.frame).toMatchObject({ ok: false, reason: 'Peer attach not authorized' });
    expect(await peer.closed).toEqual({ code: 1008, reason: 'Peer attach not authorized' });
    expect(sentinel.listener.stats.peersRefused).toBe(1);
  });
});
