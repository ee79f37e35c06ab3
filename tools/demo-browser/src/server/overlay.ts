/**
 * The overlay half of the demo: a second sentinel of ours that runs the `overlay` security profile
 * (tokens of the demo's authorization server, checked through its JWKS, as `FAME_*` settings
 * configure a deployed one), and a Node agent in `overlay` behind it. A page node in `overlay`
 * attaches to this sentinel; every envelope it originates is signed by the page node, and what
 * it receives is verified by it (the nodes' own stages, not the application).
 *
 * The sentinel keeps a small wire tap (a `NodeHooks` observer) of the Data envelopes its children
 * send, so the page and the tests can see that a request left the page signed.
 */
import { createEnvelope, type FameEnvelope, type Logger, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric, type NodeHooks } from '@naylence/fabric';
import { nodeSecurityFromEnv, type ProfileNodeSecurity } from '@naylence/security';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { OVERLAY_CLIENT_ENV, OVERLAY_SERVICE } from '../shared/overlay-node.js';

/** What the sentinel saw of the last Data envelope a child sent: its signature, if any. */
export interface SeenEnvelope {
  readonly id: string;
  readonly to: string | undefined;
  readonly sid: string | undefined;
  readonly sig: { readonly kid: string | undefined; readonly alg: string | undefined } | undefined;
}

export interface OverlayOptions {
  /** The demo's base URL: the tokens' issuer, and where its JWKS is served. */
  readonly issuer: string;
  readonly audience: string;
  readonly host: string;
  /** The agent's token (client credentials). */
  readonly agentTokens: TokenProvider;
  readonly logger: Logger;
}

export interface RunningOverlay extends AsyncDisposable {
  /** Where overlay nodes attach: `ws://{host}:{port}/fame/v1/attach/ws/downstream`. */
  readonly wsUrl: string;
  readonly sentinel: Fabric;
  readonly agent: Fabric;
  readonly agentSecurity: ProfileNodeSecurity;
  /** The last Data envelope each child (by system id) sent through the sentinel. */
  readonly seen: ReadonlyMap<string, SeenEnvelope>;
  close(): Promise<void>;
}

/** The overlay profile with the demo's OAuth2 tokens (`acceptsLinks`: the sentinel builds the authorizer). */
export function overlayEnv(issuer: string, audience: string): Record<string, string> {
  return {
    FAME_SECURITY_PROFILE: 'overlay',
    FAME_AUTHORIZATION_PROFILE: 'oauth2',
    FAME_JWT_TRUSTED_ISSUER: issuer,
    FAME_JWT_AUDIENCE: audience,
    // The demo's token server signs with EdDSA; the profile's default is RS256.
    FAME_JWT_ALGORITHM: 'EdDSA',
    FAME_JWKS_URL: `${issuer}/.well-known/jwks.json`,
  };
}

/** Starts the overlay sentinel (its own port, on `host`) and the overlay agent. */
export async function startOverlay(options: OverlayOptions): Promise<RunningOverlay> {
  const env = overlayEnv(options.issuer, options.audience);
  const seen = new Map<string, SeenEnvelope>();
  const tap: NodeHooks = {
    onEnvelopeReceived: (envelope: FameEnvelope, from) => {
      if (from.role !== 'downstream' || envelope.frame.type !== 'Data') return;
      const sig = envelope.sec?.sig;
      seen.set(from.systemId, { id: envelope.id, to: envelope.to, sid: envelope.sid, sig: sig && { kid: sig.kid, alg: sig.alg } });
    },
  };
  const logger = options.logger;
  const security = nodeSecurityFromEnv({ env, acceptsLinks: true, logger: logger.child({ node: 'overlay-sentinel' }) });
  const listener = new WebSocketListener({ host: options.host, port: 0, authorizer: security.authorizer! });
  const fabrics: Fabric[] = [];
  const close = async (): Promise<void> => {
    for (const fabric of fabrics.splice(0).reverse()) await fabric.stop().catch(() => undefined);
  };
  try {
    const sentinel = await createFabric({
      systemId: 'overlay-sentinel',
      listeners: [listener],
      security,
      env,
      hooks: [tap],
      logger: logger.child({ node: 'overlay-sentinel' }),
    });
    fabrics.push(sentinel);
    const address = sentinel.addresses[0]!;
    const wsUrl = address.url;
    const agentSecurity = nodeSecurityFromEnv({ env: OVERLAY_CLIENT_ENV, logger: logger.child({ node: 'overlay-agent' }) });
    const agent = await createFabric({
      systemId: 'overlay-agent',
      security: agentSecurity,
      env: OVERLAY_CLIENT_ENV,
      connect: new WebSocketDialer({ url: wsUrl, tokenProvider: options.agentTokens }),
      logger: logger.child({ node: 'overlay-agent' }),
    });
    fabrics.push(agent);
    await serveOverlayAgent(agent, agentSecurity, seen);
    return { wsUrl, sentinel, agent, agentSecurity, seen, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `overlay@fame.fabric`: `echo` (with what the sentinel saw of the request: its signature), and
 * `sendTo`, which sends an address three envelopes: one whose payload was changed after the
 * agent signed it, one with another key's signature, then a good one (the page must take only
 * the last).
 */
async function serveOverlayAgent(agent: Fabric, security: ProfileNodeSecurity, seen: ReadonlyMap<string, SeenEnvelope>): Promise<void> {
  await agent.serve(OVERLAY_SERVICE, {
    echo: ({ text, from }: { text: string; from: string }) => ({ text, servedBy: agent.physicalPath, sentinelSaw: seen.get(from) }),
    sendTo: async ({ address }: { address: string }) => {
      const signer = security.nodeKeys!.envelopeSigner(agent.physicalPath);
      const good = signer.sign(createEnvelope({ to: address, sid: signer.sid, frame: { type: 'Data', payload: { kind: 'good' } } }));
      const tampered = { ...good, id: `${good.id}t`, frame: { ...good.frame, payload: { kind: 'tampered' } } } as FameEnvelope;
      const stranger = nodeSecurityFromEnv({ env: OVERLAY_CLIENT_ENV });
      const forged = {
        ...good,
        id: `${good.id}f`,
        sec: { sig: { ...good.sec!.sig!, val: stranger.nodeKeys!.envelopeSigner(agent.physicalPath).sign(good).sec!.sig!.val } },
      } as FameEnvelope;
      // Already signed: the agent's outbound stage leaves them as they are.
      for (const sent of [tampered, forged, good]) await agent.node.send(sent);
      return { sent: ['tampered', 'forged', 'good'] };
    },
  });
}
