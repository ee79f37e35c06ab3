/**
 * The demo and the browser transports in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): our sentinel and the Node agent run here, the pages run in Chromium.
 */
import { readVector } from '@naylence-tools/conformance';
import { type Authorizer, type Connector, type ListenerAddress, type ListenerHost, type TransportListener } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { defaultCryptoProvider } from '@naylence/security';
import { WebSocketListener } from '@naylence/transport-ws';
import { Collector, TestHost } from '@naylence-tools/transport-compliance';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { callChecks, openChecks, openDemo } from './drive.js';
import { startDemo, type RunningDemo } from './server/demo-server.js';
import { checkSigningVectors, type SigningVectorSet } from './shared/signing-vectors.js';

let chromium: Chromium;
let demo: RunningDemo;

beforeAll(async () => {
  demo = await startDemo();
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await demo?.close();
});

const checksPage = (): Promise<Page> => openChecks(chromium, demo);

/** Records the credentials every link presented. */
function recordingAuthorizer(token: string): Authorizer & { seen: (string | undefined)[] } {
  const seen: (string | undefined)[] = [];
  return {
    seen,
    authenticate: (credentials) => {
      seen.push(credentials);
      return Promise.resolve(credentials === `Bearer ${token}` ? { authenticated: true, principal: 'page' } : undefined);
    },
  };
}

/** A listener whose accepted links the test can reach (to drop one from the server side). */
class TappedListener implements TransportListener {
  readonly transport = 'websocket';
  readonly links: Connector[] = [];
  constructor(readonly inner: TransportListener) {}
  get authorizer() {
    return this.inner.authorizer;
  }
  listen(host: ListenerHost): Promise<ListenerAddress> {
    return this.inner.listen({
      systemId: host.systemId,
      logger: host.logger,
      isReady: () => host.isReady(),
      accept: (connection) => {
        this.links.push(connection.connector);
        host.accept(connection);
      },
    });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('the demo page in headless Chromium', () => {
  it('signs in with PKCE, calls Node, serves Node, makes an overlay round trip and connects two iframes through an in-page sentinel', async () => {
    const { page, results } = await openDemo(chromium, demo);
    try {
      for (const [id, row] of Object.entries(results)) expect(row.state, `${id}: ${row.text}`).toBe('ok');
      expect(results.login?.value).toEqual({ clientId: 'demo-page' });
      expect(results.attached?.value).toMatchObject({ path: expect.stringMatching(/^\/demo-sentinel\/[A-Za-z0-9]+$/) });
      expect(results['ws-call']?.value).toBe(7);
      expect(results['node-call']?.value).toBe(42);
      expect(results['node-call']?.text).toMatch(/^\/demo-sentinel\/math-agent called multiply\(6, 7\) on page-calc@\/demo-sentinel\//);
      // The signed round trip is the page's own node in `overlay`: WebCrypto signs and verifies in its stages.
      expect(results.signed?.value).toEqual({
        provider: 'noble+webcrypto',
        requestSignedByPage: true,
        signaturesMade: true,
        signaturesVerified: true,
        refused: ['SIGNATURE_INVALID', 'SIGNATURE_INVALID'],
        delivered: [{ kind: 'good' }],
      });
      expect(results.signed?.text).toMatch(/payload digest mismatch; signature by key/);
      // The overlay sentinel's wire tap: what the page's node sent arrived signed, by the page's key, as the page's node.
      const fromPage = [...demo.overlay.seen].filter(([systemId]) => systemId.startsWith('page-'));
      expect(fromPage).toHaveLength(1);
      expect(fromPage[0]![1]).toMatchObject({
        to: 'overlay@fame.fabric',
        sid: expect.any(String),
        sig: { alg: 'EdDSA', kid: expect.any(String) },
      });
      expect(results.frames?.value).toEqual({ greeting: 'Hello, frame B, from frame A', counter: 1 });
      // The iframes show their own results too.
      const frameTexts = await Promise.all(
        page
          .frames()
          .slice(1)
          .map((frame) => frame.textContent('#frame-state output')),
      );
      expect(frameTexts.sort()).toEqual([
        expect.stringMatching(/^Hello, frame B, from frame A; counter = 1$/),
        expect.stringMatching(/^serving greeter@fame\.fabric as \/page-hub\//),
      ]);
      expect(chromium.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('verifies the spec signing vectors in Chromium (noble, and WebCrypto Ed25519) exactly as Node does', async () => {
    const vectors: SigningVectorSet = {
      signed: readVector('security/signed-envelopes.json'),
      pitfalls: readVector('security/canonical-json-pitfalls.json'),
      capture: readVector('security/overlay-fabric-capture.json'),
      identity: readVector('security/identity-policy-vectors.json'),
    };
    const inNode = await checkSigningVectors(vectors, defaultCryptoProvider());
    expect(inNode.failures).toEqual([]);
    const page = await checksPage();
    const inChromium = await callChecks(page, 'signingVectors', vectors);
    expect(inChromium.map((report) => report.provider)).toEqual(['noble', 'noble+webcrypto']);
    const { provider: _node, ...nodeCounts } = inNode;
    for (const { provider: _browser, ...counts } of inChromium) expect(counts).toEqual(nodeCounts);
    expect(nodeCounts.signedIdentically).toBeGreaterThan(0);
    expect(nodeCounts.captureVerified).toBeGreaterThan(0);
    await page.close();
  });

  it('runs an overlay node in Chromium on WebCrypto Ed25519 and on noble alone: every call signed and every reply verified by the node', async () => {
    const page = await checksPage();
    try {
      const token = await demo.mintToken('overlay-check');
      for (const [crypto, provider] of [
        ['fastest', 'noble+webcrypto'],
        ['sync', 'noble'],
      ] as const) {
        // signedRpc fails unless the node signed and verified at least once per call.
        const result = await callChecks(page, 'signedRpc', demo.config.overlayWsUrl, token, 200, crypto);
        expect(result).toMatchObject({ provider, calls: expect.any(Number) });
        expect(result.calls).toBeGreaterThan(0);
      }
      expect(chromium.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('passes the transport compliance suite inside Chromium, over the in-page bus and BroadcastChannel', { timeout: 120_000 }, async () => {
    const page = await checksPage();
    const outcomes = await callChecks(page, 'compliance');
    await page.close();
    expect(outcomes.length).toBeGreaterThanOrEqual(26);
    expect(outcomes.filter((o) => !o.ok).map((o) => `${o.name}: ${o.error}`)).toEqual([]);
    expect(outcomes.filter((o) => o.name.includes('BroadcastChannel')).length).toBe(outcomes.length / 2);
  });

  it('closes bus links with 1001 when their page goes away (pagehide)', async () => {
    const page = await checksPage();
    const { dialed, accepted } = await callChecks(page, 'pageHide');
    await page.close();
    expect(dialed).toMatchObject({ code: 1001, reason: 'Going away', initiator: 'local' });
    expect(accepted).toMatchObject({ code: 1001, reason: 'Going away' });
  });

  it('dials with the bearer token as subprotocols and feels back-pressure through bufferedAmount', async () => {
    const token = 'page-token-1';
    const authorizer = recordingAuthorizer(token);
    const host = new TestHost();
    const listener = new WebSocketListener({ host: '127.0.0.1', authorizer, highWaterMark: 256 * 1024 });
    const { url } = await listener.listen(host);
    const page = await checksPage();
    try {
      const accepted = host.nextLink();
      // The server side does not read yet: its socket pauses, the browser's bufferedAmount grows.
      const flooded = await callChecks(page, 'wsFlood', url, token);
      expect(flooded.pressured).toBe(true);
      expect(authorizer.seen).toEqual([`Bearer ${token}`]);
      const { connector } = await accepted;
      const received = Collector.start(connector, 'server');
      const drained = await callChecks(page, 'wsDrain', 16);
      expect(drained.sent).toBe(flooded.sent + 16);
      await received.untilCount(drained.sent + 1);
      expect(received.messages.at(-1)).toBe('done');
      expect(received.messages.slice(0, -1).every((m, i) => m.startsWith(`${i}:`))).toBe(true);
    } finally {
      await page.close();
      await listener.close();
    }
  });

  it('reconnects after the sentinel drops its link, and calls through the new one', async () => {
    const token = 'page-token-2';
    const tapped = new TappedListener(new WebSocketListener({ host: '127.0.0.1', authorizer: recordingAuthorizer(token) }));
    await using sentinel = await createFabric({ systemId: 'reconnect-sentinel', listeners: [tapped] });
    await sentinel.serve('adder@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
    const url = sentinel.addresses[0]!.url;
    const page = await checksPage();
    try {
      const first = await callChecks(page, 'reconnectStart', url, token);
      expect(first.attaches).toHaveLength(1);
      await tapped.links[0]!.close(1012, 'Service restart');
      const after = await callChecks(page, 'reconnectWait', 'adder@fame.fabric');
      expect(after.sum).toBe(42);
      expect(after.attaches).toHaveLength(2);
      expect(tapped.links).toHaveLength(2);
    } finally {
      await page.close();
    }
  });
});
