import { Collector, eventLoopTurns, TestHost } from '@naylence-tools/transport-compliance';
import { createFabric } from '@naylence/fabric';
import { NOOP_LOGGER, randomId, type Authorizer, type TokenProvider } from '@naylence/core';
import { describe, expect, it, vi } from 'vitest';
import { BusEndpoint } from './bus-endpoint.js';
import type { BusMessage } from './bus-message.js';
import { BROADCAST_CHANNEL_BUS, IN_PAGE_BUS, type Bus } from './buses.js';
import { BusDialer } from './bus-dialer.js';
import { BusListener } from './bus-listener.js';

const SECRET = 's3cret';
const secretAuthorizer: Authorizer = {
  authenticate: (credentials) =>
    Promise.resolve(
      credentials === `Bearer ${SECRET}` ? { authenticated: true, principal: 'page', authMethod: 'shared-secret' } : undefined,
    ),
};
const tokens = (value: string): TokenProvider => ({ getToken: () => Promise.resolve({ value }) });

/** A listener on a fresh channel, closed at the end of the test. */
async function listening(bus: Bus, options: ConstructorParameters<typeof BusListener>[1] = {}, host = new TestHost()) {
  const channelName = `test-${randomId()}`;
  const listener = new BusListener(bus, { channelName, ...options });
  await listener.listen(host);
  return {
    channelName,
    listener,
    host,
    dialer: (more: ConstructorParameters<typeof BusDialer>[1] = {}) => new BusDialer(bus, { channelName, ...more }),
    [Symbol.asyncDispose]: () => listener.close(),
  };
}

/** Posts anything on the channel, as a foreign script could. */
function postRaw(bus: Bus, channelName: string, data: unknown): void {
  if (bus === IN_PAGE_BUS) {
    const target = (globalThis as unknown as Record<string, EventTarget>).__naylence_inpage_bus__!;
    target.dispatchEvent(new MessageEvent(channelName, { data }));
  } else {
    const channel = new BroadcastChannel(channelName);
    channel.postMessage(data);
    channel.close();
  }
}

/** A hand-written peer on the channel: it records what is addressed to its id. */
function rawPeer(bus: Bus, channelName: string) {
  const heard: BusMessage[] = [];
  const endpoint = new BusEndpoint(bus, channelName, NOOP_LOGGER);
  const id = randomId();
  endpoint.attach(id, { receive: (m) => void heard.push(m) });
  return { id, heard, post: (m: BusMessage) => endpoint.post(m), [Symbol.dispose]: () => endpoint.close() };
}

for (const [name, bus] of [
  ['in-page', IN_PAGE_BUS],
  ['BroadcastChannel', BROADCAST_CHANNEL_BUS],
] as const) {
  describe(`${name} links`, () => {
    it('carry RPC both ways between a sentinel and an agent (createFabric)', async () => {
      const channelName = `fabric-${randomId()}`;
      await using sentinel = await createFabric({ listeners: [new BusListener(bus, { channelName, authorizer: secretAuthorizer })] });
      await using agent = await createFabric({ connect: new BusDialer(bus, { channelName, tokenProvider: tokens(SECRET) }) });
      await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
      await sentinel.serve('clock@fame.fabric', { now: () => 42 });
      expect(await sentinel.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
      expect(await agent.invoke('clock@fame.fabric', 'now', {})).toBe(42);
    });

    it('authenticate the bearer token; a refusal is one NodeAttachAck ok:false and close 1008', async () => {
      await using l = await listening(bus, { authorizer: secretAuthorizer });
      const refused = await l.dialer({ tokenProvider: tokens('wrong') }).dial({ systemId: 'child', originType: 'downstream' });
      const collector = Collector.start(refused, 'child');
      expect(await collector.untilClosed()).toMatchObject({ code: 1008, reason: 'Authentication failed', initiator: 'remote' });
      expect(collector.messages).toHaveLength(1);
      expect(JSON.parse(collector.messages[0]!)).toMatchObject({
        frame: { type: 'NodeAttachAck', ok: false, reason: 'Authentication failed' },
      });
      expect(l.host.links).toHaveLength(0);

      const accepted = l.host.nextLink();
      await l.dialer({ tokenProvider: tokens(SECRET) }).dial({ systemId: 'child', originType: 'peer' });
      expect(await accepted).toMatchObject({ systemId: 'child', originType: 'peer', authorization: { principal: 'page' } });
    });

    it('answer an authorizer that throws with "Unhandled error" and close 1011', async () => {
      await using l = await listening(bus, { authorizer: { authenticate: () => Promise.reject(new Error('jwks down')) } });
      const link = await l.dialer().dial({ systemId: 'child', originType: 'downstream' });
      const collector = Collector.start(link, 'child');
      expect(await collector.untilClosed()).toMatchObject({ code: 1011, reason: 'Internal error' });
      expect(JSON.parse(collector.messages[0]!)).toMatchObject({ frame: { ok: false, reason: 'Unhandled error: jwks down' } });
    });

    it('refuse self attachment (1008) and a node that is not ready (1011)', async () => {
      await using l = await listening(bus);
      const self = Collector.start(await l.dialer().dial({ systemId: 'sentinel', originType: 'downstream' }), 'self');
      expect(await self.untilClosed()).toMatchObject({ code: 1008, reason: 'Self attachment not allowed' });
      l.host.ready = false;
      const early = Collector.start(await l.dialer().dial({ systemId: 'child', originType: 'downstream' }), 'early');
      expect(await early.untilClosed()).toMatchObject({ code: 1011, reason: 'Node not ready' });
      expect(l.host.links).toHaveLength(0);
    });

    it('refuse links beyond maxLinks with 1013', async () => {
      await using l = await listening(bus, { maxLinks: 1 });
      await l.dialer().dial({ systemId: 'first', originType: 'downstream' });
      const second = Collector.start(await l.dialer().dial({ systemId: 'second', originType: 'downstream' }), 'second');
      expect(await second.untilClosed()).toMatchObject({ code: 1013, reason: 'Try again later' });
      expect(l.listener.linkCount).toBe(1);
    });

    it('time out when no listener answers, and abort on the signal', async () => {
      const dialer = new BusDialer(bus, { channelName: `nobody-${randomId()}`, connectTimeoutMs: 300 });
      await expect(dialer.dial({ systemId: 'child', originType: 'downstream' })).rejects.toMatchObject({ code: 'TIMEOUT' });
      const controller = new AbortController();
      const dialing = dialer.dial({ systemId: 'child', originType: 'downstream', signal: controller.signal });
      controller.abort();
      await expect(dialing).rejects.toMatchObject({ code: 'ABORTED' });
    });

    it('reach a listener that starts after the dial (the open is repeated)', async () => {
      const channelName = `late-${randomId()}`;
      const dialing = new BusDialer(bus, { channelName }).dial({ systemId: 'child', originType: 'downstream' });
      await eventLoopTurns(5);
      const host = new TestHost();
      const listener = new BusListener(bus, { channelName });
      await listener.listen(host);
      try {
        const link = await dialing;
        expect(link.state).toBe('open');
        expect(host.links).toHaveLength(1);
      } finally {
        await listener.close();
      }
    });

    it('go to the named node only; a second listener that accepted too is told to let go', async () => {
      await using a = await listening(bus, {}, new TestHost('sentinel-a'));
      const b = new BusListener(bus, { channelName: a.channelName });
      const hostB = new TestHost('sentinel-b');
      // Hosts start what they accept (a close reaches a link once it is started).
      for (const host of [a.host, hostB]) host.onAccept = (link) => void Collector.start(link.connector, host.systemId);
      await b.listen(hostB);
      try {
        const targeted = await a.dialer({ targetSystemId: 'sentinel-b' }).dial({ systemId: 'child-1', originType: 'downstream' });
        expect(targeted.info.remoteAddress).toBe('sentinel-b');
        expect(a.host.links).toHaveLength(0);

        // Both accept an open addressed to `*`; the dialer keeps the first and the other lets go.
        const anyone = await a.dialer().dial({ systemId: 'child-2', originType: 'downstream' });
        const winner = anyone.info.remoteAddress === 'sentinel-a' ? a.host : hostB;
        await vi.waitFor(() => expect(a.listener.linkCount + b.linkCount).toBe(2));
        expect(winner.links.map((link) => link.systemId)).toContain('child-2');
      } finally {
        await b.close();
      }
    });

    it('close their links with 1001 when the listener closes', async () => {
      const l = await listening(bus);
      const child = Collector.start(await l.dialer().dial({ systemId: 'child', originType: 'downstream' }), 'child');
      await l.listener.close();
      expect(await child.untilClosed()).toMatchObject({ code: 1001, reason: 'Listener closing', initiator: 'remote' });
    });

    it('ignore foreign and malformed traffic on the channel, and close a peer that ignores back-pressure', async () => {
      await using l = await listening(bus, { highWaterMark: 4096 });
      using raw = rawPeer(bus, l.channelName);
      // Noise: not objects, missing ids, bad control, payload and control together, a reference-style message.
      for (const junk of [
        42,
        'text',
        null,
        { senderId: 'x' },
        { senderId: 'x', senderNodeId: 'n', targetNodeId: '*', ctl: { type: 'open', originType: 'sideways', window: 1 } },
        { senderId: 'x', senderNodeId: 'n', targetNodeId: '*', ctl: { type: 'open', originType: 'downstream', window: -1 } },
        { senderId: 'x', senderNodeId: 'n', targetNodeId: '*', payload: 'p', ctl: { type: 'accept', window: 1 } },
        { senderId: 'x', senderNodeId: 'n', targetNodeId: '*', payload: new Uint8Array([1, 2]) },
      ]) {
        postRaw(bus, l.channelName, junk);
      }
      await eventLoopTurns(5);
      expect(l.listener.linkCount).toBe(0);
      expect(l.host.logger.lines.filter((line) => line.level === 'error')).toEqual([]);

      // A hand-written peer that asks for a link, then floods the (unstarted) accepted end.
      const accepted = l.host.nextLink();
      raw.post({
        senderId: raw.id,
        senderNodeId: 'flooder',
        targetNodeId: '*',
        ctl: { type: 'open', originType: 'downstream', window: 4096 },
      });
      const { connector } = await accepted;
      const accept = await vi.waitFor(() => {
        const found = raw.heard.find((m) => m.ctl?.type === 'accept');
        if (found === undefined) throw new Error('not accepted yet');
        return found;
      });
      for (let i = 0; i < 8; i++) {
        raw.post({
          senderId: raw.id,
          senderNodeId: 'flooder',
          targetNodeId: 'sentinel',
          targetId: accept.senderId,
          payload: 'x'.repeat(4096),
        });
      }
      await vi.waitFor(() => expect(raw.heard.at(-1)?.ctl).toEqual({ type: 'close', code: 1008, reason: 'back-pressure ignored' }));
      expect(connector.state).toBe('closed');
    });
  });
}
