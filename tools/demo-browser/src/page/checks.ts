/**
 * The page the browser tests and the bench drive (`checks.html`): everything is a function on
 * `window.naylence`, called with `page.evaluate`, returning plain JSON.
 */
import { connectorComplianceSuite, listenerPair, type ConnectorPair } from '@naylence-tools/transport-compliance';
import { randomId, type CloseInfo } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { defaultCryptoProvider, loadDefaultCryptoProvider, staticTokenProvider } from '@naylence/security';
import { broadcastChannelDialer, broadcastChannelListener, inPageDialer, inPageListener } from '@naylence/transport-inpage';
import { WebSocketDialer, type WebSocketConnector } from '@naylence/transport-ws';
import { inPageRpc, signedRpc, wsRpc } from '../shared/bench-calls.js';
import { checkSigningVectors, type SigningVectorSet } from '../shared/signing-vectors.js';
import { runRegistered } from './vitest-shim.js';

/** A pair over a bus, as the Node compliance test builds it. */
function busPair(kind: 'inpage' | 'broadcast-channel'): () => Promise<ConnectorPair> {
  return () => {
    const channelName = `compliance-${randomId()}`;
    const [listener, dialer] =
      kind === 'inpage'
        ? [inPageListener({ channelName }), inPageDialer({ channelName })]
        : [broadcastChannelListener({ channelName }), broadcastChannelDialer({ channelName })];
    return listenerPair(listener, () => dialer.dial({ systemId: 'child', originType: 'downstream' }));
  };
}

let flood: { connector: WebSocketConnector; sent: number; closed?: CloseInfo } | undefined;
let reconnecting: { fabric: Fabric; attaches: string[] } | undefined;

const naylence = {
  /** The spec's signing vectors with noble, and with noble + WebCrypto Ed25519 where this browser has it. */
  async signingVectors(vectors: SigningVectorSet) {
    const providers = [defaultCryptoProvider(), await loadDefaultCryptoProvider()];
    return Promise.all([...new Set(providers)].map((provider) => checkSigningVectors(vectors, provider)));
  },

  /** The transport compliance suite, in this page, over the in-page bus and BroadcastChannel. */
  async compliance() {
    connectorComplianceSuite('in-page dialer ↔ listener (Chromium)', { createPair: busPair('inpage') });
    connectorComplianceSuite('BroadcastChannel dialer ↔ listener (Chromium)', { createPair: busPair('broadcast-channel') });
    return runRegistered();
  },

  /**
   * A BroadcastChannel link inside this page, then a `pagehide` (as when the tab closes): both
   * ends close with 1001 at once instead of waiting for heartbeats. Returns both close infos.
   */
  async pageHide() {
    const { a, b, cleanup } = await busPair('broadcast-channel')();
    const closes = [a, b].map((end) => new Promise<CloseInfo>((resolve) => end.start({ onMessage: () => undefined, onClose: resolve })));
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    const [dialed, accepted] = await Promise.all(closes);
    await cleanup();
    return { dialed, accepted };
  },

  /** Dials `url` with `token` (subprotocols `bearer, <token>`) and sends 64 KiB messages until `send()` reports back-pressure. */
  async wsFlood(url: string, token: string) {
    const connector = await new WebSocketDialer({ url, tokenProvider: staticTokenProvider(token), idleTimeoutMs: 0 }).dial({
      systemId: 'page-flood',
      originType: 'downstream',
    });
    const state: NonNullable<typeof flood> = { connector, sent: 0 };
    flood = state;
    connector.start({ onMessage: () => undefined, onClose: (info) => (state.closed = info) });
    const chunk = 'f'.repeat(64 * 1024);
    let pressured = false;
    while (!pressured && state.sent < 4096) pressured = !connector.send(`${state.sent++}:${chunk}`);
    return { sent: state.sent, pressured };
  },

  /** Waits for the pressured socket to drain, then sends `more` messages honouring back-pressure and a final `done`. */
  async wsDrain(more: number) {
    const state = flood!;
    await state.connector.drain();
    for (let i = 0; i < more; i++) if (!state.connector.send(`${state.sent++}:after drain`)) await state.connector.drain();
    state.connector.send('done');
    return { sent: state.sent };
  },

  /** A fabric attached over WebSocket (default reconnect policy) that records each attach. */
  async reconnectStart(url: string, token: string) {
    const attaches: string[] = [];
    const fabric = await createFabric({
      connect: new WebSocketDialer({ url, tokenProvider: staticTokenProvider(token) }),
      hooks: [{ onAttached: (info) => void attaches.push(info.physicalPath) }],
    });
    reconnecting = { fabric, attaches };
    return { attaches };
  },

  /** Waits for the second attach, then calls through the new link. */
  async reconnectWait(address: string) {
    const state = reconnecting!;
    while (state.attaches.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    const sum = await state.fabric.invoke<number>(address, 'add', { x: 20, y: 22 });
    await state.fabric.stop();
    return { attaches: state.attaches, sum };
  },

  inPageRpc,

  wsRpc(wsUrl: string, token: string, durationMs: number) {
    return wsRpc(wsUrl, staticTokenProvider(token), durationMs);
  },

  signedRpc(wsUrl: string, token: string, durationMs: number, crypto: 'fastest' | 'sync') {
    return signedRpc(wsUrl, staticTokenProvider(token), durationMs, crypto);
  },
};

/** What the checks page offers (call it with `callChecks`). */
export type ChecksApi = typeof naylence;

(window as unknown as { naylence: ChecksApi }).naylence = naylence;
document.getElementById('ready')!.dataset.state = 'ok';
