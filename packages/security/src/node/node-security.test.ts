import {
  createEnvelope,
  EnvelopeRejection,
  isResponse,
  type EnvelopeContext,
  type FameEnvelope,
  type NodeAttachAckFrame,
  type SecurityLink,
  type StageResult,
} from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { defaultCryptoProvider } from '../platform/index.js';
import { secureDigestSync } from '../signing/digests.js';
import { nodeSecurityFromEnv } from './security-from-env.js';
import type { ProfileNodeSecurity } from './node-security.js';

const provider = defaultCryptoProvider();
const OVERLAY = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };

interface Sent {
  readonly link: SecurityLink;
  readonly envelope: FameEnvelope;
}

/** One node's security driven by hand: its identity, and what it sends through its host. */
class Node {
  readonly sent: Sent[] = [];
  readonly identity: { systemId: string; physicalPath: string; sid: string };
  readonly security: ProfileNodeSecurity;

  constructor(
    readonly systemId: string,
    path: string,
    options: Parameters<typeof nodeSecurityFromEnv>[0] = {},
  ) {
    this.identity = { systemId, physicalPath: path, sid: secureDigestSync(provider, path) };
    this.security = nodeSecurityFromEnv({ env: OVERLAY, keyRequestTimeoutMs: 50, keyRequestAttempts: 2, ...options });
    void this.security.start?.({
      node: this.identity,
      logger: undefined as never,
      send: () => Promise.reject(new Error('not used')),
      sendVia: async (link, envelope, opts) => {
        const out = this.originate(envelope, link, opts?.inReplyTo);
        if (!(out instanceof EnvelopeRejection)) this.sent.push({ link, envelope: out });
      },
    });
  }

  /** What leaves this node for `link` (stamped with our sid, through the outbound stage). */
  originate(envelope: FameEnvelope, link: SecurityLink, inReplyTo?: FameEnvelope): StageResult {
    const stamped = envelope.sid === undefined ? { ...envelope, sid: this.identity.sid } : envelope;
    return this.security.outbound!(stamped, this.context('local', link, isResponse(envelope), inReplyTo)) as StageResult;
  }

  context(origin: EnvelopeContext['origin'], link: SecurityLink | undefined, response = false, inReplyTo?: FameEnvelope): EnvelopeContext {
    return { node: this.identity, origin, link, response, inReplyTo };
  }

  /** An envelope arrives on `link`: inbound stage, then claim for security frames. */
  async receive(envelope: FameEnvelope, link: SecurityLink): Promise<StageResult | 'claimed'> {
    const result = await this.security.inbound!(envelope, this.context(link.role, link));
    if (result instanceof EnvelopeRejection) return result;
    if (['KeyRequest', 'KeyAnnounce'].includes(result.frame.type) && (await this.security.claim!(result, this.context(link.role, link))))
      return 'claimed';
    return result;
  }

  deliver(envelope: FameEnvelope, link: SecurityLink): Promise<StageResult> | StageResult {
    return this.security.deliver!(envelope, this.context(link.role, link));
  }

  take(): Sent[] {
    return this.sent.splice(0);
  }
}

/** The parent side's link to `child` and the child side's link to `parent`, attached. */
async function attach(parent: Node, child: Node): Promise<{ down: SecurityLink; up: SecurityLink }> {
  const down = { role: 'downstream' as const, systemId: child.systemId, physicalPath: '', principal: undefined };
  const up = { role: 'upstream' as const, systemId: parent.systemId, physicalPath: parent.identity.physicalPath, principal: undefined };
  const fields = await child.security.attachFields!(up);
  const decision = await parent.security.authorizeAttach!(
    { type: 'NodeAttach', systemId: child.systemId, instanceId: 'i', ...fields },
    down,
  );
  expect(decision).toMatchObject({ accept: true });
  down.physicalPath = child.identity.physicalPath;
  parent.security.onLinkAttached!(down);
  const ack = { type: 'NodeAttachAck', ok: true, ...(decision.accept && decision.ackFields) } as NodeAttachAckFrame;
  await child.security.checkAttachAck!(ack, up);
  child.security.onLinkAttached!(up);
  return { down, up };
}

function data(to: string, payload: unknown, from: Node): FameEnvelope {
  return createEnvelope({ to, replyTo: `__rpc__x@${from.identity.physicalPath}`, corrId: 'c1', frame: { type: 'Data', payload } });
}

async function overlayTree() {
  const hub = new Node('hub', '/hub', { acceptsLinks: true });
  const agent = new Node('agent', '/hub/agent');
  const client = new Node('client', '/hub/client');
  const agentLinks = await attach(hub, agent);
  const clientLinks = await attach(hub, client);
  return { hub, agent, client, agentLinks, clientLinks };
}

describe('node security from a profile', () => {
  it('builds nothing for open, only authorizeAttach for gated, and stages for overlay', () => {
    const open = nodeSecurityFromEnv({ env: {} });
    expect(open).toMatchObject({ profile: 'open', authorizerProfile: 'noop', enforces: { security: ['open'], authorization: ['noop'] } });
    expect([open.inbound, open.outbound, open.deliver, open.authorizeAttach, open.claim]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);

    const gated = nodeSecurityFromEnv({ env: { FAME_SECURITY_PROFILE: 'gated' } });
    expect(gated.authorizerProfile).toBe('oauth2-gated');
    expect(gated.authorizeAttach).toBeTypeOf('function');
    expect([gated.inbound, gated.outbound, gated.deliver]).toEqual([undefined, undefined, undefined]);

    const overlay = nodeSecurityFromEnv({ env: OVERLAY });
    expect([overlay.inbound, overlay.outbound, overlay.deliver, overlay.claim].every((f) => typeof f === 'function')).toBe(true);
    expect(overlay.enforces).toEqual({ security: ['overlay'], authorization: ['noop'] });
  });

  it('refuses links it cannot authenticate: no authorizer built, or a listener that authenticated nobody', async () => {
    const env = { FAME_SECURITY_PROFILE: 'gated', FAME_JWT_TRUSTED_ISSUER: 'https://auth.test', FAME_JWT_AUDIENCE: 'fame.fabric' };
    const link: SecurityLink = { role: 'downstream', systemId: 'a', physicalPath: '', principal: undefined };
    const attach = { type: 'NodeAttach' as const, systemId: 'a', instanceId: 'i' };
    const client = nodeSecurityFromEnv({ env });
    expect(await client.authorizeAttach!(attach, link)).toMatchObject({
      accept: false,
      reason: expect.stringContaining('accepts no links'),
    });
    const sentinel = nodeSecurityFromEnv({ env, acceptsLinks: true });
    expect(await sentinel.authorizeAttach!(attach, link)).toMatchObject({
      accept: false,
      reason: expect.stringMatching(/^Authentication required/),
    });
  });

  it('exchanges keys at attach and refuses a child without signing keys (W5)', async () => {
    const { hub, agent } = await overlayTree();
    expect(hub.security.keyStore!.keysForPath('/hub/agent').map((k) => k.kid)).toContain(agent.security.nodeKeys!.signingKid);
    expect(agent.security.keyStore!.keysForPath('/hub').map((k) => k.kid)).toContain(hub.security.nodeKeys!.signingKid);

    const link: SecurityLink = { role: 'downstream', systemId: 'bare', physicalPath: '', principal: undefined };
    expect(await hub.security.authorizeAttach!({ type: 'NodeAttach', systemId: 'bare', instanceId: 'i' }, link)).toEqual({
      accept: false,
      reason: 'Policy requires signing key exchange but no signing keys provided',
    });
    // Child side: a parent that presents no keys is refused, not only logged.
    const up: SecurityLink = { role: 'upstream', systemId: 'open-parent', physicalPath: '/open-parent', principal: undefined };
    expect(() => agent.security.checkAttachAck!({ type: 'NodeAttachAck', ok: true }, up)).toThrow(/no signing keys/);
  });

  it('signs what it originates (never NodeAttach or NodeAttachAck), keeps forwarded envelopes as they are', async () => {
    const { client, clientLinks, hub } = await overlayTree();
    const signed = client.originate(data('math@fame.fabric', { x: 1 }, client), clientLinks.up) as FameEnvelope;
    expect(signed.sec?.sig).toMatchObject({ alg: 'EdDSA', kid: client.security.nodeKeys!.signingKid });
    const attachFrame = createEnvelope({ frame: { type: 'NodeAttach', systemId: 'client', instanceId: 'i' } });
    expect((client.originate(attachFrame, clientLinks.up) as FameEnvelope).sec).toBeUndefined();
    const forwarded = hub.security.outbound!(signed, hub.context('downstream', clientLinks.down));
    expect(forwarded).toBe(signed);
  });

  it('client → hub → agent: the hub only checks the signer, the agent fetches the key with KeyRequest and verifies in full', async () => {
    const { hub, agent, client, agentLinks, clientLinks } = await overlayTree();
    const request = client.originate(data('math@fame.fabric', { x: 3, y: 4 }, client), clientLinks.up) as FameEnvelope;
    expect(await hub.receive(request, clientLinks.down)).toBe(request);

    const delivered = agent.deliver(request, agentLinks.up);
    expect(delivered).toBeInstanceOf(Promise);
    const [keyRequest] = agent.take();
    expect(keyRequest!.envelope.frame).toEqual({
      type: 'KeyRequest',
      kid: client.security.nodeKeys!.signingKid,
      physicalPath: '/hub/agent',
    });
    expect(keyRequest!.envelope.sec?.sig).toBeDefined();
    expect(await hub.receive(keyRequest!.envelope, agentLinks.down)).toBe('claimed');
    const [announce] = hub.take();
    expect(announce!.envelope).toMatchObject({
      corrId: keyRequest!.envelope.corrId,
      frame: { type: 'KeyAnnounce', physicalPath: '/hub/client' },
    });
    expect(await agent.receive(announce!.envelope, agentLinks.up)).toBe('claimed');
    expect(await delivered).toBe(request);

    // The reply mirrors the request's signature.
    const reply = createEnvelope({ to: request.replyTo!, corrId: 'c1', frame: { type: 'Data', payload: { result: 7 } } });
    expect((agent.originate(reply, agentLinks.up, request) as FameEnvelope).sec?.sig).toBeDefined();
  });

  it('asks again after a re-attach, and forgets a child’s keys (and its subtree’s) when it detaches', async () => {
    const { hub, agent, client, agentLinks, clientLinks } = await overlayTree();
    const request = client.originate(data('math@fame.fabric', {}, client), clientLinks.up) as FameEnvelope;
    const delivered = agent.deliver(request, agentLinks.up);
    const [first] = agent.take();
    // The link to the parent drops before the answer: after the next attach the request goes out again, with a fresh corrId.
    agent.security.onLinkClosed!(agentLinks.up);
    const again = await attach(hub, agent);
    const [resent] = agent.take();
    expect(resent!.envelope.frame).toEqual(first!.envelope.frame);
    expect(resent!.envelope.corrId).not.toBe(first!.envelope.corrId);
    expect(await hub.receive(resent!.envelope, again.down)).toBe('claimed');
    const [answer] = hub.take();
    expect(await agent.receive(answer!.envelope, again.up)).toBe('claimed');
    expect(await delivered).toBe(request);

    hub.security.keyStore!.addKeys(new Node('g', '/hub/client/g').security.nodeKeys!.shareableKeys(), '/hub/client/g');
    hub.security.onLinkClosed!(clientLinks.down);
    expect(hub.security.keyStore!.keysForPath('/hub/client')).toEqual([]);
    expect(hub.security.keyStore!.keysForPath('/hub/client/g')).toEqual([]);
    expect(hub.security.keyStore!.keysForPath('/hub/agent')).toHaveLength(2);
  });

  it('refuses at the ingress sentinel: unsigned, signed as another node, an unknown key; at delivery: tampered payload or header', async () => {
    const { hub, agent, client, agentLinks, clientLinks } = await overlayTree();
    const unsigned = { ...data('math@fame.fabric', {}, client), sid: client.identity.sid };
    expect(await hub.receive(unsigned, clientLinks.down)).toMatchObject({ action: 'nack', error: { code: 'SIGNATURE_REQUIRED' } });

    // The client signs with its own key but claims the agent's sid (W3).
    const claiming = client.security.nodeKeys!.envelopeSigner('/hub/client');
    const forged = { ...claiming.sign(data('math@fame.fabric', {}, client)), sid: agent.identity.sid };
    expect(await hub.receive(forged, clientLinks.down)).toMatchObject({ action: 'nack', error: { code: 'SIGNATURE_INVALID' } });

    // A key the hub never saw: nobody can be asked (it is the child's subtree), so it gives up.
    const stranger = new Node('client', '/hub/client');
    const unknown = stranger.originate(data('math@fame.fabric', {}, client), clientLinks.up) as FameEnvelope;
    expect(await hub.receive(unknown, clientLinks.down)).toMatchObject({ action: 'nack', error: { failure: 'unknown_key' } });

    const good = client.originate(data('math@fame.fabric', { x: 1 }, client), clientLinks.up) as FameEnvelope;
    agent.security.keyStore!.addKeys(client.security.nodeKeys!.shareableKeys(), '/hub/client');
    const payload = { ...good, frame: { ...good.frame, payload: { x: 2 } } } as FameEnvelope;
    expect(await agent.deliver(payload, agentLinks.up)).toMatchObject({ action: 'nack', error: { failure: 'payload_digest_mismatch' } });
    const header = { ...good, to: 'other@fame.fabric' };
    expect(await agent.deliver(header, agentLinks.up)).toMatchObject({ action: 'nack', error: { failure: 'bad_signature' } });
    expect(await agent.deliver(good, agentLinks.up)).toBe(good);
  });

  it('stores announced keys only from the announcer’s subtree, and correlated ones only as answers to its own requests (W4)', async () => {
    const { hub, agent, client, clientLinks, agentLinks } = await overlayTree();
    const rogue = new Node('x', '/elsewhere');
    const announce = (path: string, corrId?: string) =>
      client.originate(
        createEnvelope({
          ...(corrId !== undefined && { corrId }),
          frame: {
            type: 'KeyAnnounce',
            physicalPath: path,
            keys: rogue.security.nodeKeys!.shareableKeys(),
            created: new Date().toISOString(),
          },
        }),
        clientLinks.up,
      ) as FameEnvelope;
    expect(await hub.receive(announce('/hub/agent'), clientLinks.down)).toBe('claimed');
    expect(hub.security.keyStore!.hasKey(rogue.security.nodeKeys!.signingKid)).toBe(false);
    expect(await hub.receive(announce('/hub/client/grandchild'), clientLinks.down)).toBe('claimed');
    expect(hub.security.keyStore!.keysForPath('/hub/client/grandchild')).toHaveLength(2);

    // An answer to the agent's own request: only the requested key is kept, whatever else rides along.
    const request = client.originate(data('math@fame.fabric', {}, client), clientLinks.up) as FameEnvelope;
    const delivered = agent.deliver(request, agentLinks.up);
    const [keyRequest] = agent.take();
    const answer = hub.originate(
      createEnvelope({
        corrId: keyRequest!.envelope.corrId!,
        frame: {
          type: 'KeyAnnounce',
          physicalPath: '/hub/client',
          keys: [...client.security.nodeKeys!.shareableKeys(), ...rogue.security.nodeKeys!.shareableKeys()],
          created: new Date().toISOString(),
        },
      }),
      agentLinks.down,
    ) as FameEnvelope;
    expect(await agent.receive(answer, agentLinks.up)).toBe('claimed');
    expect(await delivered).toBe(request);
    expect(agent.security.keyStore!.keysForPath('/hub/client').map((k) => k.kid)).toEqual([client.security.nodeKeys!.signingKid]);
  });
});
