/**
 * Issue 15: the browser's cost. The same calls run in headless Chromium (the demo's checks page:
 * browser bundles, noble + WebCrypto Ed25519) and in this Node process (Node entries,
 * node:crypto); `ours` is Chromium, `bare` is Node, so ours/bare is the browser's share of Node:
 * - in-page RPC: a sentinel, an agent and a client in one realm over the in-page bus (unary
 *   `echo`, sequential and 16 concurrent callers);
 * - RPC from a page to a Node agent behind our sentinel over WebSocket, plain, and signed: a node
 *   in the `overlay` profile calls the Node agent in `overlay` through our sentinel in `overlay`;
 *   the caller's node signs each request and verifies each reply (WebCrypto Ed25519 in Chromium,
 *   and noble for comparison), the agent's node verifies and signs with node:crypto.
 */
import { staticTokenProvider } from '@naylence/security';
import {
  callChecks,
  chromiumVersion,
  inPageRpc,
  launchChromium,
  openChecks,
  signedRpc,
  startDemo,
  wsRpc,
} from '@naylence-tools/demo-browser';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

export const browserScenario: Scenario = {
  name: 'browser',
  description: 'headless Chromium vs Node: in-page RPC, and plain and overlay (signed) RPC from a page to a Node agent over WebSocket',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 2_000;
    const samples = new Samples();
    await using demo = await startDemo();
    await using chromium = await launchChromium();
    const page = await openChecks(chromium, demo);
    const token = await demo.mintToken('bench');
    const wsUrl = demo.config.wsUrl;
    const overlayWsUrl = demo.config.overlayWsUrl;
    const providers = { fastest: '', sync: '' };

    for (let r = 0; r < rounds; r++) {
      // Alternate which side goes first, so neither always runs on a warmer machine.
      const sides = r % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      for (const side of sides) {
        for (const concurrency of [1, 16]) {
          const result =
            side === 'ours' ? await callChecks(page, 'inPageRpc', durationMs, concurrency) : await inPageRpc(durationMs, concurrency);
          samples.add(side, `inpage.c${concurrency}`, result.opsPerSec);
        }
        const tokens = staticTokenProvider(token);
        const plain = side === 'ours' ? await callChecks(page, 'wsRpc', wsUrl, token, durationMs) : await wsRpc(wsUrl, tokens, durationMs);
        samples.add(side, 'ws', plain.opsPerSec);
        for (const crypto of ['fastest', 'sync'] as const) {
          const signed =
            side === 'ours'
              ? await callChecks(page, 'signedRpc', overlayWsUrl, token, durationMs, crypto)
              : await signedRpc(overlayWsUrl, tokens, durationMs, crypto);
          if (side === 'ours') providers[crypto] = signed.provider;
          samples.add(side, `signed.${crypto}`, signed.opsPerSec);
        }
      }
    }
    await page.close();
    return {
      scenario: 'browser',
      rows: [
        samples.row('in-page RPC, sequential', 'ops/s', 'inpage.c1'),
        samples.row('in-page RPC, concurrency 16', 'ops/s', 'inpage.c16'),
        samples.row('RPC page → Node agent (WebSocket)', 'ops/s', 'ws'),
        samples.row('overlay RPC page → Node agent (signed both ways)', 'ops/s', 'signed.fastest'),
        samples.row('overlay RPC page → Node agent, sync crypto', 'ops/s', 'signed.sync'),
      ],
      notes: [
        `ours = headless ${chromiumVersion()}, bare = the same calls in Node ${process.version}; ours/bare = Chromium ÷ Node`,
        `overlay rows: the caller is a node in the overlay profile (its stages sign and verify) with ${providers.fastest} in Chromium (sync crypto: ${providers.sync}), node:crypto in Node; sentinel and agent run overlay with node:crypto`,
        `each phase runs ${durationMs} ms after a warm-up of a quarter of it, sequential unless said`,
      ],
    };
  },
};
