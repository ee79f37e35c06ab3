/**
 * The demo page. Signs in with OAuth2 authorization code + PKCE (the server's developer login),
 * then, with that token as the WebSocket bearer subprotocol:
 * 1. calls the Node math agent through our sentinel;
 * 2. serves `multiply` in the page and has the Node agent call it;
 * 3. runs a second node in `overlay` (WebCrypto Ed25519 / noble) attached to the overlay sentinel:
 *    an RPC to the Node agent signed and verified by the nodes themselves, and forged envelopes
 *    refused by this page's node;
 * 4. runs an in-page sentinel that connects two iframes (BroadcastChannel) and an agent in this
 *    page (in-page bus).
 * Each result is shown in its row (`data-state`, `data-value` for the test).
 */
import { randomId, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { oauth2PkceTokenProvider, sharedSecretAuthorizer, staticTokenProvider } from '@naylence/security';
import { broadcastChannelListener, inPageDialer, inPageListener } from '@naylence/transport-inpage';
import { WebSocketDialer } from '@naylence/transport-ws';
import { attachOverlayNode, overlayEcho, OVERLAY_SERVICE, type OverlayNode } from '../shared/overlay-node.js';
import { show, step } from './ui.js';

interface PageConfig {
  readonly wsUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly overlayWsUrl: string;
}

const MATH = 'math@fame.fabric';

async function signIn(config: PageConfig) {
  const pkce = oauth2PkceTokenProvider({
    authorizeUrl: config.authorizeUrl,
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
  });
  if (!new URLSearchParams(location.search).has('code')) {
    show('login', 'pending', 'redirecting to the sign-in page…');
    await pkce.getToken(); // navigates to the authorization endpoint
    return undefined;
  }
  const token = await pkce.completeRedirect();
  history.replaceState(null, '', location.pathname); // the code is single-use
  return { pkce, token };
}

async function nodeSections(fabric: Fabric, config: PageConfig, pkce: TokenProvider): Promise<void> {
  await step('ws-call', async () => {
    const sum = await fabric.invoke<number>(MATH, 'add', { x: 3, y: 4 });
    return { text: `math.add(3, 4) = ${sum} — computed by the Node agent, through the sentinel`, value: sum };
  });

  await step('node-call', async () => {
    const served = await fabric.serve('page-calc', { multiply: ({ x, y }: { x: number; y: number }) => x * y });
    const { product, askedBy } = await fabric.invoke<{ product: number; askedBy: string }>(MATH, 'askPage', {
      address: served.address,
      x: 6,
      y: 7,
    });
    return { text: `${askedBy} called multiply(6, 7) on ${served.address}: ${product}`, value: product };
  });

  await step('signed', async () => {
    const node = await attachOverlayNode(config.overlayWsUrl, pkce);
    try {
      return await overlayRoundTrip(node);
    } finally {
      await node.fabric.stop();
    }
  });
}

/**
 * The signed round trip, by the nodes themselves: this page's node runs `overlay`, attached to
 * the overlay sentinel; its RPC to the Node agent leaves signed (the sentinel saw `sec.sig`), the
 * reply is verified by this node before it is delivered, and envelopes the agent sends here
 * changed after signing, or signed with another key, are refused by this node.
 */
async function overlayRoundTrip(node: OverlayNode): Promise<{ text: string; value: unknown }> {
  const before = { ...node.counts };
  const answer = await overlayEcho(node, 'signed in the page');
  const signs = node.counts.signs - before.signs;
  const verifies = node.counts.verifies - before.verifies;
  const kid = answer.sentinelSaw?.sig?.kid;
  if (kid !== node.security.nodeKeys!.signingKid) throw new Error(`the sentinel saw the request signed by ${String(kid)}`);

  const received: unknown[] = [];
  const inbox = `inbox@${node.fabric.physicalPath}`;
  await node.fabric.subscribe(inbox, (payload) => void received.push(payload));
  await node.fabric.invoke(OVERLAY_SERVICE, 'sendTo', { address: inbox });
  await until(() => received.length >= 1 && node.refused.length >= 2);
  const value = {
    provider: node.provider,
    requestSignedByPage: true,
    signaturesMade: signs > 0,
    signaturesVerified: verifies > 0,
    refused: node.refused.map((r) => r.code),
    delivered: received,
  };
  return {
    text:
      `overlay RPC to ${answer.servedBy}: the request left this page signed (${node.provider}; the sentinel saw sec.sig, kid ${kid.slice(0, 8)}…), ` +
      `the signed reply was verified here; ${node.refused.length} tampered/forged envelopes refused by this node (${node.refused.map((r) => r.reason.split(':')[0]).join('; ')})`,
    value,
  };
}

/** Resolves once `done()` holds (checked every 20 ms); rejects after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting for the refusals');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with the next message a frame posts of `kind`. */
function frameMessage(kind: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent<Record<string, unknown>>): void => {
      if (event.origin !== location.origin || event.data?.kind !== kind) return;
      window.removeEventListener('message', onMessage);
      resolve(event.data);
    };
    window.addEventListener('message', onMessage);
  });
}

function addFrame(role: string, channelName: string, secret: string): void {
  const frame = document.createElement('iframe');
  frame.title = `frame ${role}`;
  frame.src = `/frame.html#${new URLSearchParams({ role, channel: channelName, secret }).toString()}`;
  document.getElementById('frames-box')!.append(frame);
}

async function framesSection(): Promise<void> {
  await step('frames', async () => {
    const channelName = `demo-${randomId()}`;
    const secret = `${randomId()}${randomId()}`;
    const authorizer = sharedSecretAuthorizer({ secret });
    await createFabric({
      systemId: 'page-hub',
      listeners: [broadcastChannelListener({ channelName, authorizer }), inPageListener({ channelName, authorizer })],
    });
    const local = await createFabric({ connect: inPageDialer({ channelName, tokenProvider: staticTokenProvider(secret) }) });
    let count = 0;
    await local.serve('counter@fame.fabric', { next: () => ++count });

    const greeterReady = frameMessage('ready');
    addFrame('greeter', channelName, secret);
    await greeterReady;
    const result = frameMessage('result');
    addFrame('caller', channelName, secret);
    const { greeting, counter, error } = (await result) as { greeting?: string; counter?: number; error?: string };
    if (error !== undefined) throw new Error(`frame B: ${error}`);
    return { text: `frame B got "${greeting}" and counter ${counter} (served in this page)`, value: { greeting, counter } };
  });
}

async function main(): Promise<void> {
  const config = (await (await fetch('/demo/config.json')).json()) as PageConfig;
  void framesSection();
  let session: Awaited<ReturnType<typeof signIn>>;
  try {
    session = await signIn(config);
  } catch (error) {
    show('login', 'error', `sign-in failed: ${(error as Error).message}`);
    return;
  }
  if (session === undefined) return;
  show(
    'login',
    'ok',
    `signed in with PKCE as ${config.clientId} (token expires ${session.token.expiresAt?.toLocaleTimeString() ?? 'never'})`,
    {
      clientId: config.clientId,
    },
  );
  const fabric = await createFabric({ connect: new WebSocketDialer({ url: config.wsUrl, tokenProvider: session.pkce }) });
  show('attached', 'ok', `attached over WebSocket as ${fabric.physicalPath}`, { path: fabric.physicalPath });
  await nodeSections(fabric, config, session.pkce);
}

void main();
