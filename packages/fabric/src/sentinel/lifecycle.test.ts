import {
  AttachError,
  createEnvelope,
  createReply,
  NOOP_LOGGER,
  randomId,
  ResponseType,
  type Authorizer,
  type Connector,
  type Dialer,
} from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { FameNode } from '../node/node.js';
import { routesOf, upstreamLinkOf } from '../testing/internals.js';
import { messageText } from '@naylence-tools/transport-compliance';
import { inbox, interceptInbound, RecordingLogger, staticTokens, until, wrapDialer } from '../testing/support.js';
import { createMemoryConnectorPair } from '../transport/memory-connector.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import { Sentinel } from './sentinel.js';

const fast = { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 };

/** Every token is accepted; a token other than `shared` is its own subject (`sub` claim). */
const subjectAuthorizer: Authorizer = {
  authenticate: (credentials) => {
    const token = credentials?.replace(/^Bearer /, '') ?? '';
    return Promise.resolve({ authenticated: true, principal: token, ...(token !== 'shared' && { claims: { sub: token } }) });
  },
};

async function echo(node: FameNode, address = 'math@fame.fabric') {
  await node.bind(address, (env) => void node.send(createReply(env, { type: 'Data', payload: { servedBy: node.systemId } })));
}

function call(node: FameNode, box: { address: string }, to = 'math@fame.fabric') {
  const corrId = randomId();
  return {
    corrId,
    sent: node.send(
      createEnvelope({ to, replyTo: box.address, rtype: ResponseType.REPLY, corrId, frame: { type: 'Data', payload: null } }),
    ),
  };
}

describe('sentinel lifecycle', () => {
  it('replaces the old link when the same token subject attaches again, and says so in the log', async () => {
    const logger = new RecordingLogger();
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger, listeners: [net.listener('hub', { authorizer: subjectAuthorizer })] });
    await sentinel.start();
    await using first = new FameNode({
      systemId: 'twin',
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: staticTokens('alice') }), reconnect: { initialDelayMs: 60_000 } },
    });
    await first.start();
    const firstLink = upstreamLinkOf(first)!;
    await using second = new FameNode({
      systemId: 'twin',
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: staticTokens('alice') }) },
    });
    await second.start();
    await until(() => !firstLink.isOpen);
    const warning = logger.find('warn', /same system id/);
    expect(warning?.fields).toMatchObject({ systemId: 'twin' });
    expect(second.isAttached).toBe(true);
    expect(sentinel.linkedSystemIds).toEqual(['twin']);
  });

  it("refuses a NodeAttach with a live link's system id from anyone else; the owner keeps serving", async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub', { authorizer: subjectAuthorizer })] });
    await sentinel.start();
    await using owner = new FameNode({
      systemId: 'victim',
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: staticTokens('alice') }) },
    });
    await owner.start();
    await echo(owner);
    await using client = new FameNode({
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: staticTokens('carol') }) },
    });
    await client.start();
    const box = await inbox(client);
    for (const token of ['mallory', undefined]) {
      // another subject, and a token without one (a shared secret names no node)
      const impostor = new FameNode({
        systemId: 'victim',
        logger: NOOP_LOGGER,
        upstream: { dialer: net.dialer('hub', { tokenProvider: staticTokens(token ?? 'shared') }), reconnect: { maxInitialAttempts: 1 } },
      });
      await expect(impostor.start()).rejects.toMatchObject({ code: 'ATTACH_REJECTED', message: /in use by a live link/ });
      await impostor.stop();
    }
    expect(sentinel.metrics.attachRefusals).toBe(2);
    expect(upstreamLinkOf(owner)!.isOpen).toBe(true);
    const { corrId } = call(client, box);
    expect(await box.next((e) => e.corrId === corrId)).toMatchObject({ frame: { payload: { servedBy: 'victim' } } });
  });

  it('closes a link that never sends NodeAttach after the attach timeout and keeps no state', async () => {
    const logger = new RecordingLogger();
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger, attachTimeoutMs: 50, listeners: [net.listener('hub')] });
    await sentinel.start();
    const connector = await net.dialer('hub').dial({ systemId: 'silent', originType: 'downstream' });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      connector.start({ onMessage: () => undefined, onClose: resolve }),
    );
    expect(await closed).toMatchObject({ code: 1000, reason: 'normal closure' });
    expect(sentinel.linkedSystemIds).toEqual([]);
    expect(logger.find('warn', /no valid NodeAttach/)).toBeDefined();
  });

  it('refuses a NodeAttach whose system id differs from the attach URL, with a typed error at the child', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const inner = net.dialer('hub');
    const lying: Dialer = { transport: 'memory', dial: (req) => inner.dial({ ...req, systemId: 'someone-else' }) };
    const node = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: lying } });
    const error = await node.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachError);
    expect(error).toMatchObject({ code: 'ATTACH_REJECTED', reason: expect.stringMatching(/does not match the attach URL/) });
  });

  it('reports an authentication refusal as AUTHENTICATION_FAILED', async () => {
    const net = new MemoryNetwork();
    const authorizer: Authorizer = {
      authenticate: (credentials) => Promise.resolve(credentials === 'Bearer good' ? { authenticated: true } : undefined),
    };
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub', { authorizer })] });
    await sentinel.start();
    const bad = new FameNode({
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: { getToken: () => Promise.resolve({ value: 'bad' }) } }) },
    });
    await expect(bad.start()).rejects.toMatchObject({
      name: 'AttachError',
      code: 'AUTHENTICATION_FAILED',
      reason: 'Authentication failed',
    });
    await using good = new FameNode({
      logger: NOOP_LOGGER,
      upstream: { dialer: net.dialer('hub', { tokenProvider: { getToken: () => Promise.resolve({ value: 'good' }) } }) },
    });
    await good.start();
    expect(good.isAttached).toBe(true);
  });

  it('reconnects, re-attaches and re-binds after the sentinel restarts', async () => {
    const net = new MemoryNetwork();
    let sentinel = new Sentinel({ systemId: 'hub', logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    await using agent = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: net.dialer('hub'), reconnect: fast } });
    await agent.start();
    await echo(agent);
    await sentinel.stop();
    await until(() => !agent.isAttached);
    sentinel = new Sentinel({ systemId: 'hub', logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    try {
      await sentinel.start();
      await until(() => routesOf(sentinel).exact('math@fame.fabric') !== undefined, 5_000, 'agent re-bound');
      await using client = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: net.dialer('hub') } });
      await client.start();
      const box = await inbox(client);
      const { corrId } = call(client, box);
      expect((await box.next((e) => e.corrId === corrId)).frame).toMatchObject({ payload: { servedBy: agent.systemId } });
    } finally {
      await sentinel.stop();
    }
  });

  it('drops the link and reconnects when heartbeats go unanswered', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const inner = net.dialer('hub');
    const dials: Connector[] = [];
    let muteFirst = true;
    // The first link goes deaf after attach: nothing from the sentinel reaches the node.
    const deafening = wrapDialer(inner, (c) => {
      dials.push(c);
      if (!muteFirst || dials.length > 1) return c;
      let deaf = false;
      return interceptInbound(c, (m, deliver) => {
        if (!deaf) deliver(m);
        if (messageText(m).includes('"NodeAttachAck"')) deaf = true;
      });
    });
    await using agent = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: deafening, heartbeatMs: 20, reconnect: fast } });
    await agent.start();
    muteFirst = false;
    await until(() => dials.length >= 2 && agent.isAttached, 5_000, 'reconnected');
    expect(dials[0]!.state).toBe('closed');
  });

  it('peers two sentinels: logical and physical addresses reach across', async () => {
    const net = new MemoryNetwork();
    await using a = new Sentinel({ systemId: 'sentinel-a', logger: NOOP_LOGGER, listeners: [net.listener('a')] });
    await a.start();
    await using b = new Sentinel({
      systemId: 'sentinel-b',
      logger: NOOP_LOGGER,
      listeners: [net.listener('b')],
      peers: [{ dialer: net.dialer('a') }],
    });
    await b.start();
    await using agent = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: net.dialer('b') } });
    await agent.start();
    await echo(agent);
    await echo(agent, 'svc@/');
    await using client = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: net.dialer('a') } });
    await client.start();
    const box = await inbox(client);
    await until(() => routesOf(a).exact('math@fame.fabric') !== undefined, 2_000, 'bind propagated to the peer');
    expect(routesOf(a).exact('math@fame.fabric')).toEqual({ systemId: 'sentinel-b', kind: 'peer' });
    const logical = call(client, box);
    expect((await box.next((e) => e.corrId === logical.corrId)).frame).toMatchObject({ payload: { servedBy: agent.systemId } });
    expect(agent.physicalPath).toBe(`/sentinel-b/${agent.systemId}`);
    const physical = call(client, box, `svc@${agent.physicalPath}`);
    expect((await box.next((e) => e.corrId === physical.corrId)).frame).toMatchObject({ payload: { servedBy: agent.systemId } });
  });

  it('tolerates the raw connector closing under a sentinel mid-stream', async () => {
    const [x, y] = createMemoryConnectorPair();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER });
    await sentinel.start();
    sentinel.accept({ connector: x, originType: 'downstream', systemId: 'gone' });
    y.start({ onMessage: () => undefined, onClose: () => undefined });
    await y.close(1006, 'abnormal');
    await until(() => x.state === 'closed');
    expect(sentinel.linkedSystemIds).toEqual([]);
  });
});
