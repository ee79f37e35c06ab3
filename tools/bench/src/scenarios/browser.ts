/**
 * Issue 15: the browser's cost. The same calls run in headless Chromium (the demo's checks page:
 * browser bundles, noble + WebCrypto Ed25519) and in this Node process (Node entries,
 * node:crypto); `ours` is Chromium, `bare` is Node, so ours/bare is the browser's share of Node:
 * - in-page RPC: a sentinel, an agent and a client in one realm over the in-page bus (unary
 *   `echo`, sequential and 16 concurrent callers);
 * - signed RPC from a page: each call signs a Data envelope, the Node agent (behind our sentinel,
 *   over WebSocket) verifies it and answers with one it signed, which the caller verifies.
 */
import { staticTokenProvider } from '@naylence/security';
import { callChecks, chromiumVersion, inPageRpc, launchChromium, openChecks, signedRpc, startDemo } from '@naylence-tools/demo-browser';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

export const browserScenario: Scenario = {
  name: 'browser',
  description: 'headless Chromium vs Node: in-page RPC, and signed RPC from a page to a Node agent over WebSocket',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 2_000;
    const samples = new Samples();
    await using demo = await startDemo();
    await using chromium = await launchChromium();
    const page = await openChecks(chromium, demo);
    const token = await demo.mintToken('bench');
    const wsUrl = demo.config.wsUrl;
    let provider = '';

    for (let r = 0; r < rounds; r++) {
      // Alternate which side goes first, so neither always runs on a warmer machine.
      const sides = r % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const side of sides) {
        for (const concurrency of [1, 16]) {
          const result =
            side === 'ours' ? await callChecks(page, 'inPageRpc', durationMs, concurrency) : await inPageRpc(durationMs, concurrency);
          samples.add(side, `inpage.c${concurrency}`, result.opsPerSec);
        }
        const signed =
          side === 'ours'
            ? await callChecks(page, 'signedRpc', wsUrl, token, durationMs)
            : await signedRpc(wsUrl, staticTokenProvider(token), durationMs);
        if (side === 'ours') provider = signed.provider;
        samples.add(side, 'signed', signed.opsPerSec);
      }
    }
    await page.close();
    return {
      scenario: 'browser',
      rows: [
        samples.row('in-page RPC, sequential', 'ops/s', 'inpage.c1'),
        samples.row('in-page RPC, concurrency 16', 'ops/s', 'inpage.c16'),
        samples.row('signed RPC page → Node agent (WebSocket)', 'ops/s', 'signed'),
      ],
      notes: [
        `ours = headless ${chromiumVersion()}, bare = the same calls in Node ${process.version}; ours/bare = Chromium ÷ Node`,
        `signing in Chromium with ${provider}, in Node with node:crypto; each phase runs ${durationMs} ms after a warm-up of a quarter of it`,
      ],
    };
  },
};
