/**
 * The demo page. Signs in with OAuth2 authorization code + PKCE (the server's developer login),
 * then, with that token as the WebSocket bearer subprotocol:
 * 1. calls the Node math agent through our sentinel;
 * 2. serves `multiply` in the page and has the Node agent call it;
 * 3. signs an envelope in the page (noble / WebCrypto Ed25519) that Node verifies, and verifies
 *    one Node signed, with keys exchanged over the fabric;
 * 4. runs an in-page sentinel that connects two iframes (BroadcastChannel) and an agent in this
 *    page (in-page bus).
 * Each result is shown in its row (`data-state`, `data-value` for the test).
 */
import { randomId } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { loadDefaultCryptoProvider, oauth2PkceTokenProvider, sharedSecretAuthorizer, staticTokenProvider } from '@naylence/security';
import { broadcastChannelListener, inPageDialer, inPageListener } from '@naylence/transport-inpage';
import { WebSocketDialer } from '@naylence/transport-ws';
import { SigningParty, tampered } from '../shared/signed-exchange.js';
import { show, step } from './ui.js';

interface PageConfig {
  readonly wsUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

const MATH = 'math@fame.fabric';
const SIGNER = 'signer@fame.fabric';

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

async function nodeSections(fabric: Fabric): Promise<void> {
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
    const provider = await loadDefaultCryptoProvider();
    const page = new SigningParty(provider, fabric.physicalPath);
    page.learn(await fabric.invoke<{ path: string; keys: object[] }>(SIGNER, 'exchangeKeys', page.shareable()));
    const request = await page.sign(SIGNER, { text: 'signed in the page', at: new Date().toISOString() });
    const { verified, answer } = await fabric.invoke<{ verified: { kid: string }; answer: Parameters<SigningParty['verify']>[0] }>(
      SIGNER,
      'verifyAndAnswer',
      { envelope: request },
    );
    const checked = await page.verify(answer);
    const refusal = await fabric.invoke<{ refused: boolean; failure?: string }>(SIGNER, 'verifyTampered', {
      envelope: tampered(request, { text: 'changed after signing' }),
    });
    const value = {
      provider: provider.name,
      pageSignatureVerifiedInNode: verified.kid === page.keys.signingKid,
      nodeSignatureVerifiedInPage: checked.physicalPath,
      tamperedRefused: refusal.refused ? refusal.failure : false,
    };
    return {
      text: `page signature (${provider.name}) verified in Node; Node's verified here (${checked.physicalPath}); tampered copy refused (${refusal.failure})`,
      value,
    };
  });
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
  await nodeSections(fabric);
}

void main();
