import { capturedMessages } from '@naylence-tools/conformance';
import { NOOP_LOGGER, secureDigest, type FameEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { FameNode } from '../node/node.js';
import { neighbourOf } from '../testing/internals.js';
import { RecordingSecurity } from '../testing/recording-security.js';
import { tapDialer, wrapDialer, type TappedMessage } from '../testing/support.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import { Sentinel } from './sentinel.js';

const SNAKE = /_/;
const frameKeys = (env: Record<string, unknown>) => Object.keys(env.frame as object).filter((k) => !SNAKE.test(k));

describe('attach handshake (protocol-core §4.4, vectors/01)', () => {
  it('a node given no logicals attaches with none and binds physical addresses only (a welcome that accepted none)', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ systemId: 'hub', logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const tapped: TappedMessage[] = [];
    await using client = new FameNode({
      systemId: 'client',
      logger: NOOP_LOGGER,
      requestedLogicals: [],
      upstream: { dialer: tapDialer(net.dialer('hub'), tapped) },
    });
    await client.start();
    expect(tapped[0]!.envelope.frame).toMatchObject({ type: 'NodeAttach', acceptedLogicals: [] });
    await expect(client.bind('math@fame.fabric', () => undefined)).rejects.toMatchObject({ code: 'INVALID_ADDRESS' });
    await client.bind('inbox@/hub/client', () => undefined);
  });

  it('sends and answers the same frames, field by field, as the reference', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ systemId: 'n1z4APh1v66jwtuJ', logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const tapped: TappedMessage[] = [];
    await using agent = new FameNode({
      systemId: 'uLCVO7F9EAxxrQHB',
      logger: NOOP_LOGGER,
      requestedLogicals: ['fame.fabric'],
      upstream: { dialer: tapDialer(net.dialer('hub'), tapped) },
    });
    await agent.start();
    await agent.bind('math@fame.fabric', () => undefined, { capabilities: ['fame.capability.agent'] });

    const reference = capturedMessages('01-ws-attach-bind-advertise.json').filter((m) => m.envelope);
    const ours = tapped.map((t) => t.envelope as unknown as Record<string, unknown>);
    expect(ours.map((e) => (e.frame as { type: string }).type)).toEqual(reference.map((m) => (m.envelope!.frame as { type: string }).type));
    expect(tapped.map((t) => t.direction)).toEqual(reference.map((m) => (m.direction === 'child->parent' ? 'out' : 'in')));

    // Same envelope keys in the same order, same frame keys (the reference's snake_case duplicates aside).
    reference.forEach((m, i) => {
      expect(Object.keys(ours[i]!), `envelope keys of message ${i}`).toEqual(Object.keys(m.envelope!));
      expect(frameKeys(ours[i]!), `frame keys of message ${i}`).toEqual(frameKeys(m.envelope!));
    });

    const [attach, ack, bind, bindAck, advertise, advertiseAck] = tapped.map<FameEnvelope>((t) => t.envelope);
    const childPath = '/n1z4APh1v66jwtuJ/uLCVO7F9EAxxrQHB';
    expect(attach).toMatchObject({
      seqId: 0,
      flowFlags: 1,
      frame: { originType: 'downstream', systemId: 'uLCVO7F9EAxxrQHB', acceptedLogicals: ['fame.fabric'] },
    });
    expect(attach!.sid).toBeUndefined();
    expect(ack).toMatchObject({
      sid: '4fZ2ZNpd82MiaKHYlxNM0V',
      corrId: attach!.corrId,
      traceId: attach!.traceId,
      seqId: 0,
      flowFlags: 1,
      frame: {
        ok: true,
        refId: attach!.id,
        targetSystemId: 'n1z4APh1v66jwtuJ',
        assignedPath: childPath,
        targetPhysicalPath: '/n1z4APh1v66jwtuJ',
      },
    });
    expect(bind).toMatchObject({
      sid: await secureDigest(childPath),
      replyTo: `__sys__@${childPath}`,
      rtype: 1,
      flowId: attach!.flowId,
      seqId: 1,
      flowFlags: 0,
      frame: { address: 'math@fame.fabric', physicalPath: childPath },
    });
    expect(bind!.sid).toBe('3NLylExuvqpQhsvzFwQ4HR');
    expect(bindAck).toMatchObject({
      corrId: bind!.corrId,
      traceId: bind!.traceId,
      flowId: ack!.flowId,
      seqId: 1,
      flowFlags: 0,
      frame: { ok: true, refId: bind!.id },
    });
    expect(bindAck!.to).toBeUndefined();
    expect(advertise).toMatchObject({
      rtype: 1,
      flowId: attach!.flowId,
      seqId: 2,
      frame: { capabilities: ['fame.capability.agent'], address: 'math@fame.fabric' },
    });
    expect(advertiseAck).toMatchObject({
      corrId: advertise!.corrId,
      seqId: 2,
      frame: { ok: true, refId: advertise!.id, address: 'math@fame.fabric' },
    });
  });

  it('binds a pool address and advertises the instance address (vectors/13)', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const tapped: TappedMessage[] = [];
    await using agent = new FameNode({
      systemId: '3LZGNUmXj9tww3pg',
      logger: NOOP_LOGGER,
      requestedLogicals: ['*.fame.fabric'],
      upstream: { dialer: tapDialer(net.dialer('hub'), tapped) },
    });
    await agent.start();
    await agent.bind('math@fame.fabric', () => undefined, { capabilities: ['fame.capability.agent'] });
    const frames = tapped.filter((t) => t.direction === 'out').map((t) => t.envelope.frame);
    expect(frames[1]).toEqual({
      type: 'AddressBind',
      address: 'math@*.fame.fabric',
      physicalPath: `${sentinel.physicalPath}/3LZGNUmXj9tww3pg`,
    });
    expect(frames[2]).toEqual({
      type: 'CapabilityAdvertise',
      capabilities: ['fame.capability.agent'],
      address: 'math@3LZGNUmXj9tww3pg.fame.fabric',
    });
  });

  it('acknowledges heartbeats with the routing epoch, echoing corrId and traceId (vectors/09)', async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const tapped: TappedMessage[] = [];
    await using agent = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer: tapDialer(net.dialer('hub'), tapped), heartbeatMs: 20 } });
    await agent.start();
    await new Promise((r) => setTimeout(r, 70));
    const beat = tapped.find((t) => t.envelope.frame.type === 'NodeHeartbeat')!.envelope;
    const ack = tapped.find((t) => t.envelope.frame.type === 'NodeHeartbeatAck' && t.envelope.corrId === beat.corrId)!.envelope;
    expect(ack).toMatchObject({
      traceId: beat.traceId,
      frame: { ok: true, refId: beat.id, routingEpoch: neighbourOf(sentinel, agent.systemId)!.routingEpoch },
    });
  });

  it("adds the transport's NodeAttach members, then the security component's; neither replaces the node's or the other's", async () => {
    const net = new MemoryNetwork();
    await using sentinel = new Sentinel({ logger: NOOP_LOGGER, listeners: [net.listener('hub')] });
    await sentinel.start();
    const grant = { type: 'HttpConnectionGrant', url: 'http://127.0.0.1:1/fame/v1/ingress/upstream' };
    const withGrant = wrapDialer(net.dialer('hub'), (connector) =>
      Object.assign(connector, { attachFields: () => ({ callbackGrants: [grant], systemId: 'not-mine' }) }),
    );
    const tapped: TappedMessage[] = [];
    const security = new RecordingSecurity('agent', [], {
      attachFields: () => ({ keys: [{ kid: 'k1' }], callbackGrants: [{ type: 'Other' }], instanceId: 'forged' }),
    });
    await using agent = new FameNode({
      systemId: 'grantee',
      logger: NOOP_LOGGER,
      security,
      upstream: { dialer: tapDialer(withGrant, tapped) },
    });
    await agent.start();
    const attach = tapped.find((t) => t.envelope.frame.type === 'NodeAttach')!.envelope.frame;
    expect(attach).toMatchObject({ systemId: 'grantee', callbackGrants: [grant], keys: [{ kid: 'k1' }] });
    expect((attach as { instanceId: string }).instanceId).not.toBe('forged');
  });
});
