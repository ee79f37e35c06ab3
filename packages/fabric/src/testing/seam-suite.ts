import {
  AttachError,
  createEnvelope,
  createReply,
  EnvelopeRejection,
  FameError,
  randomId,
  type Authorizer,
  type FameEnvelope,
  type NodeAttachAckFrame,
  type StageResult,
} from '@naylence/core';
import { SeamFixture, type SeamTransport } from './seam-fixture.js';
import { until } from './support.js';

/** The two vitest functions the suite registers its tests with (injected: this module does not import vitest). */
export interface SuiteRunner {
  describe(this: void, name: string, fn: () => void): void;
  it(this: void, name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

const DATA = ['Data'];
const ACKS = ['DeliveryAck'];

/** Throws when `actual` and `expected` differ as JSON. */
export function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, null, 2);
  const e = JSON.stringify(expected, null, 2);
  if (a !== e) throw new Error(`${what}\nexpected: ${e}\nactual:   ${a}`);
}

function assert(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** Every envelope passes a stage at most once per node (exactly once per hop). */
function assertOncePerHop(f: SeamFixture): void {
  const seen = new Set<string>();
  for (const c of f.calls) {
    if (c.envelopeId === undefined) continue;
    const key = `${c.node} ${c.stage} ${c.envelopeId}`;
    assert(!seen.has(key), `${key} was called twice`);
    seen.add(key);
  }
}

const refuse = (action: 'drop' | 'nack', code: 'UNAUTHORIZED_ROUTE' | 'AUTHORIZATION_FAILED', message: string) =>
  new EnvelopeRejection(action, new FameError(code, message));

const math = { add: ({ x, y }: { x: number; y: number }) => x + y };

async function rejectionOf(promise: Promise<unknown>): Promise<FameError> {
  try {
    await promise;
  } catch (error) {
    return error as FameError;
  }
  throw new Error('expected a rejection');
}

/**
 * Proves where `NodeSecurity` is called: the order and count of stage calls of a hub, an agent
 * and a client on every path (attach, control frames, originate, forward, deliver, reply, acks,
 * NACKs, heartbeats, claims), and what refusals and deferrals do. Run it over every transport
 * the fabric is used with; it expects the same calls from each.
 */
export function securitySeamSuite(transport: SeamTransport, { describe, it }: SuiteRunner): void {
  describe(`security seam over ${transport.name}`, () => {
    it('attach and control frames: every envelope passes one stage per hop, acks are responses to their request', async () => {
      await using f = await SeamFixture.start(transport);
      await f.agent.serve('math@fame.fabric', math, { capabilities: ['math'] });
      assertEqual(
        f.lines('agent'),
        [
          'agent start',
          'agent attachFields @upstream:',
          'agent outbound NodeAttach local @upstream:',
          'agent inbound NodeAttachAck upstream @upstream:',
          'agent checkAttachAck NodeAttachAck @upstream:hub',
          'agent linkAttached @upstream:hub',
          'agent outbound AddressBind local @upstream:hub',
          'agent inbound AddressBindAck upstream @upstream:hub',
          'agent outbound CapabilityAdvertise local @upstream:hub',
          'agent inbound CapabilityAdvertiseAck upstream @upstream:hub',
        ],
        'agent calls',
      );
      const attachOf = (child: string) => [
        `hub inbound NodeAttach downstream @downstream:${child}`,
        `hub authorizeAttach NodeAttach @downstream:${child}`,
        `hub outbound NodeAttachAck local @downstream:${child}`,
        `hub linkAttached @downstream:${child}`,
      ];
      assertEqual(
        f.lines('hub'),
        [
          'hub start',
          ...attachOf('agent'),
          ...attachOf('client'),
          'hub inbound AddressBind downstream @downstream:agent',
          'hub outbound AddressBindAck local @downstream:agent',
          'hub inbound CapabilityAdvertise downstream @downstream:agent',
          'hub outbound CapabilityAdvertiseAck local @downstream:agent',
        ],
        'hub calls',
      );
      for (const c of f.calls.filter((c) => c.node === 'hub' && c.stage === 'outbound'))
        assertEqual([c.response, c.inReplyTo], [true, c.frameType!.replace(/Ack$/, '')], `${c.frameType} answers its request`);
      assertOncePerHop(f);
    });

    it('a call: originate, forward, deliver, reply, forward back, deliver', async () => {
      await using f = await SeamFixture.start(transport);
      await f.agent.serve('math@fame.fabric', math);
      f.reset();
      assertEqual(await f.client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 }), 3, 'the result');
      assertEqual(
        f.lines('client', DATA),
        [
          'client outbound Data local @upstream:hub',
          'client inbound Data upstream @upstream:hub',
          'client deliver Data upstream @upstream:hub',
        ],
        'client calls',
      );
      assertEqual(
        f.lines('hub', DATA),
        [
          'hub inbound Data downstream @downstream:client',
          'hub outbound Data downstream @downstream:agent',
          'hub inbound Data downstream @downstream:agent',
          'hub outbound Data downstream @downstream:client',
        ],
        'hub calls',
      );
      assertEqual(
        f.lines('agent', DATA),
        [
          'agent inbound Data upstream @upstream:hub',
          'agent deliver Data upstream @upstream:hub',
          'agent outbound Data local @upstream:hub',
        ],
        'agent calls',
      );
      const reply = f.calls.find((c) => c.node === 'agent' && c.stage === 'outbound')!;
      assertEqual([reply.response, reply.inReplyTo], [true, 'Data'], 'the reply is a response to the request');
      assertOncePerHop(f);
    });

    it('a delivery ack (at-least-once): generated at delivery, forwarded, delivered', async () => {
      await using f = await SeamFixture.start(transport);
      const got: unknown[] = [];
      await f.agent.subscribe('sink@fame.fabric', (payload) => void got.push(payload));
      f.reset();
      await f.client.send('sink@fame.fabric', { n: 1 }, { ack: true });
      assertEqual(got, [{ n: 1 }], 'delivered once');
      assertEqual(f.lines('agent', ACKS), ['agent outbound DeliveryAck local @upstream:hub'], 'agent acks');
      assertEqual(
        f.lines('hub', ACKS),
        ['hub inbound DeliveryAck downstream @downstream:agent', 'hub outbound DeliveryAck downstream @downstream:client'],
        'hub forwards the ack',
      );
      assertEqual(
        f.lines('client', ACKS),
        ['client inbound DeliveryAck upstream @upstream:hub', 'client deliver DeliveryAck upstream @upstream:hub'],
        'client receives it',
      );
      assertOncePerHop(f);
    });

    it('a NACK the hub generates passes its outbound stage as a response', async () => {
      await using f = await SeamFixture.start(transport);
      f.reset();
      const error = await rejectionOf(f.client.invoke('nobody@fame.fabric', 'add', {}));
      assertEqual(error.code, 'NO_ROUTE', 'the caller gets the NACK');
      assertEqual(
        f.lines('hub'),
        ['hub inbound Data downstream @downstream:client', 'hub outbound DeliveryAck local @downstream:client'],
        'hub calls',
      );
      const nack = f.calls.find((c) => c.node === 'hub' && c.frameType === 'DeliveryAck')!;
      assertEqual([nack.response, nack.inReplyTo], [true, 'Data'], 'the NACK answers the request');
      assertEqual(
        f.lines('client'),
        [
          'client outbound Data local @upstream:hub',
          'client inbound DeliveryAck upstream @upstream:hub',
          'client deliver DeliveryAck upstream @upstream:hub',
        ],
        'client calls',
      );
    });

    it('heartbeats and their acks', async () => {
      await using f = await SeamFixture.start(transport, { heartbeatMs: 50, withClient: false });
      await until(() => f.lines('agent', ['NodeHeartbeatAck']).length >= 2, 5_000, 'two heartbeat acks');
      const agent = f.lines('agent', ['NodeHeartbeat', 'NodeHeartbeatAck']);
      assertEqual(agent[0], 'agent outbound NodeHeartbeat local @upstream:hub', 'the agent sends the first heartbeat');
      assert(
        agent.every(
          (l) => l === 'agent outbound NodeHeartbeat local @upstream:hub' || l === 'agent inbound NodeHeartbeatAck upstream @upstream:hub',
        ),
        'only these',
      );
      const hub = f.lines('hub', ['NodeHeartbeat', 'NodeHeartbeatAck']);
      assert(hub.length >= 4 && hub.length % 2 === 0, 'the hub answers every heartbeat at once');
      for (let i = 0; i < hub.length; i += 2) {
        assertEqual(
          hub.slice(i, i + 2),
          ['hub inbound NodeHeartbeat downstream @downstream:agent', 'hub outbound NodeHeartbeatAck local @downstream:agent'],
          `heartbeat ${i / 2}`,
        );
      }
      assertOncePerHop(f);
    });

    it('refusals: inbound NACK at the hub, forwarded refused at the hub, local refused at the client, delivery refused at the agent', async () => {
      const deny = (to: string) => (envelope: FameEnvelope) =>
        envelope.frame.type === 'Data' && envelope.to === to ? refuse('nack', 'UNAUTHORIZED_ROUTE', `not to ${to}`) : envelope;
      await using f = await SeamFixture.start(transport, {
        hub: {
          inbound: deny('math@fame.fabric'),
          outbound: (env, ctx) =>
            ctx.origin !== 'local' && env.to === 'forbidden@fame.fabric' ? refuse('nack', 'UNAUTHORIZED_ROUTE', 'no') : env,
        },
        client: { outbound: (env) => (env.to === 'secret@fame.fabric' ? refuse('drop', 'AUTHORIZATION_FAILED', 'not allowed') : env) },
        agent: { deliver: deny('guarded@fame.fabric') },
      });
      let served = 0;
      const count = { add: () => ++served };
      for (const name of ['math', 'forbidden', 'guarded', 'secret']) await f.agent.serve(`${name}@fame.fabric`, count);
      f.reset();
      for (const name of ['math', 'forbidden', 'guarded']) {
        const error = await rejectionOf(f.client.invoke(`${name}@fame.fabric`, 'add', {}));
        assertEqual(
          [error.name, error.code, (error as { ackCode?: string }).ackCode],
          ['DeliveryNackError', 'UNAUTHORIZED_ROUTE', 'UNAUTHORIZED_ROUTE'],
          name,
        );
      }
      const local = await rejectionOf(f.client.invoke('secret@fame.fabric', 'add', {}));
      assertEqual([local.code, local.message], ['AUTHORIZATION_FAILED', 'not allowed'], 'the refused local send');
      assertEqual(served, 0, 'no handler ran');
      assertEqual(
        f.lines('hub', [...DATA, ...ACKS]),
        [
          'hub inbound Data downstream @downstream:client',
          'hub outbound DeliveryAck local @downstream:client',
          'hub inbound Data downstream @downstream:client',
          'hub outbound Data downstream @downstream:agent',
          'hub outbound DeliveryAck local @downstream:client',
          'hub inbound Data downstream @downstream:client',
          'hub outbound Data downstream @downstream:agent',
          'hub inbound DeliveryAck downstream @downstream:agent',
          'hub outbound DeliveryAck downstream @downstream:client',
        ],
        'hub calls',
      );
      assertEqual(
        f.lines('agent', [...DATA, ...ACKS]),
        [
          'agent inbound Data upstream @upstream:hub',
          'agent deliver Data upstream @upstream:hub',
          'agent outbound DeliveryAck local @upstream:hub',
        ],
        'agent calls (only the guarded call reaches it)',
      );
      assertEqual(
        f.lines('client', DATA).at(-1),
        'client outbound Data local @upstream:hub',
        'the refused local send passed the stage once',
      );
    });

    it('a deferred envelope waits for its stage and then goes on', async () => {
      const releases: (() => void)[] = [];
      const defer = (envelope: FameEnvelope): StageResult | Promise<StageResult> =>
        envelope.frame.type === 'Data' && envelope.to === 'math@fame.fabric'
          ? new Promise<StageResult>((resolve) => releases.push(() => resolve(envelope)))
          : envelope;
      await using f = await SeamFixture.start(transport, { hub: { inbound: defer } });
      await f.agent.serve('math@fame.fabric', math);
      const call = f.client.invoke('math@fame.fabric', 'add', { x: 2, y: 2 });
      await until(() => releases.length === 1, 5_000, 'the deferral');
      assertEqual(f.lines('agent', DATA), [], 'nothing reached the agent yet');
      releases[0]!();
      assertEqual(await call, 4, 'the result after the release');
    });

    it('claims: the hub answers a KeyRequest itself, the client consumes the KeyAnnounce', async () => {
      let announced: FameEnvelope | undefined;
      await using f = await SeamFixture.start(transport, {
        hub: {
          claim: (env, _ctx, host) => {
            if (env.frame.type !== 'KeyRequest') return false;
            void host.send(createReply(env, { type: 'KeyAnnounce', physicalPath: env.frame.physicalPath ?? '', keys: [] }), {
              inReplyTo: env,
            });
            return true;
          },
        },
        client: { claim: (env) => env.frame.type === 'KeyAnnounce' && (announced = env) !== undefined },
      });
      f.reset();
      // The client's security asks its parent directly, down the upstream link.
      const client = f.client.node;
      const security = f.securities.get('client')!;
      const request = createEnvelope({
        replyTo: client.systemInboxAddress,
        corrId: randomId(),
        frame: { type: 'KeyRequest', kid: 'k1', physicalPath: client.physicalPath },
      });
      await security.host!.sendVia(security.links.get('upstream:hub')!, request);
      await until(() => announced !== undefined, 5_000, 'the KeyAnnounce');
      assertEqual(announced!.corrId, request.corrId, 'correlated');
      assertEqual(
        f.lines('hub'),
        [
          'hub inbound KeyRequest downstream @downstream:client',
          'hub claim KeyRequest downstream @downstream:client',
          'hub outbound KeyAnnounce local @downstream:client',
        ],
        'hub calls',
      );
      assertEqual(
        f.lines('client'),
        [
          'client outbound KeyRequest local @upstream:hub',
          'client inbound KeyAnnounce upstream @upstream:hub',
          'client claim KeyAnnounce upstream @upstream:hub',
        ],
        'client calls',
      );
    });

    it('attach: members both ways, the principal on the link, refusals by either side, detach', async () => {
      const principals: (string | undefined)[] = [];
      const authorizer: Authorizer = {
        authenticate: (credentials) =>
          Promise.resolve(
            credentials === 'Bearer s3cret' ? { authenticated: true, principal: 'tester', claims: { sub: 'tester' } } : undefined,
          ),
        authorizeAttach: (_attach, context) => Promise.resolve(principals.push(context.principal) > 0),
      };
      let ackSeen: NodeAttachAckFrame | undefined;
      await using f = await SeamFixture.start(transport, {
        authorizer,
        token: 's3cret',
        withClient: false,
        hub: {
          authorizeAttach: (attach, link) => {
            if (attach.systemId === 'intruder') return { accept: false, reason: 'no keys' };
            if (attach.systemId === 'agent' && (link.principal?.principal !== 'tester' || attach.keys?.length !== 1))
              return { accept: false, reason: 'the agent must bring its key and token' };
            return { accept: true, ackFields: { keys: [{ kid: 'hub-key' }] } };
          },
        },
        agent: { attachFields: () => ({ keys: [{ kid: 'agent-key' }] }), checkAttachAck: (ack) => void (ackSeen = ack) },
      });
      assertEqual(ackSeen?.keys, [{ kid: 'hub-key' }], 'the hub added its keys to NodeAttachAck');
      assertEqual(principals, ['tester'], "the listener's authorizer vetted the attach");
      const vetted = f.calls.find((c) => c.stage === 'authorizeAttach');
      assertEqual(vetted?.principal, 'tester', 'the principal is on the link');
      const refused = await rejectionOf(f.leaf('intruder', {}, { token: 's3cret' }));
      assert(refused instanceof AttachError, 'a typed AttachError');
      assertEqual([refused.code, (refused as AttachError).reason], ['ATTACH_REJECTED', 'no keys'], 'refused by the hub');
      const picky = await rejectionOf(
        f.leaf(
          'picky',
          {
            checkAttachAck: () => {
              throw new FameError('AUTHORIZATION_FAILED', 'wrong parent');
            },
          },
          { token: 's3cret' },
        ),
      );
      assertEqual([picky.code, (picky as AttachError).reason], ['ATTACH_REJECTED', 'wrong parent'], 'refused by the child');
      await f.agent.stop();
      await until(() => f.lines('hub').includes('hub linkClosed @downstream:agent'), 5_000, 'the hub to see the detach');
      assert(f.lines('agent').includes('agent linkClosed @upstream:hub'), 'the agent saw its link close');
    });
  });
}
