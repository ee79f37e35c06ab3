/**
 * The browser benchmark's calls, written once: a page runs them in Chromium (browser entries,
 * noble + WebCrypto) and the bench runs them in Node (Node entries, node:crypto), so the ratio
 * of the two is the cost of the browser.
 */
import { randomId, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { inPageDialer, inPageListener } from '@naylence/transport-inpage';
import { WebSocketDialer } from '@naylence/transport-ws';
import { attachOverlayNode, overlayEcho } from './overlay-node.js';

export interface Throughput {
  readonly calls: number;
  readonly opsPerSec: number;
}

/** Calls `call` `concurrency` at a time for `durationMs` (after `warmupMs`). */
export async function measure(call: () => Promise<unknown>, durationMs: number, concurrency = 1, warmupMs = 0): Promise<Throughput> {
  const run = async (ms: number): Promise<number> => {
    const end = performance.now() + ms;
    let calls = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          await call();
          calls++;
        }
      }),
    );
    return calls;
  };
  if (warmupMs > 0) await run(warmupMs);
  const started = performance.now();
  const calls = await run(durationMs);
  return { calls, opsPerSec: calls / ((performance.now() - started) / 1000) };
}

/**
 * Unary RPC within one realm over the in-page bus: a sentinel, an agent serving `echo`, and a
 * client that calls it (two hops: client → sentinel → agent).
 */
export async function inPageRpc(durationMs: number, concurrency: number): Promise<Throughput> {
  const channelName = `bench-${randomId()}`;
  const fabrics: Fabric[] = [];
  try {
    fabrics.push(await createFabric({ listeners: [inPageListener({ channelName })] }));
    const agent = await createFabric({ connect: inPageDialer({ channelName }) });
    fabrics.push(agent);
    await agent.serve('echo@fame.fabric', { echo: (params: unknown) => params });
    const client = await createFabric({ connect: inPageDialer({ channelName }) });
    fabrics.push(client);
    const params = { text: 'x'.repeat(100), n: 1 };
    return await measure(() => client.invoke('echo@fame.fabric', 'echo', params), durationMs, concurrency, durationMs / 4);
  } finally {
    for (const fabric of fabrics.reverse()) await fabric.stop();
  }
}

/** Unary RPC to the demo's Node math agent over WebSocket, through our sentinel (no signatures). */
export async function wsRpc(wsUrl: string, tokenProvider: TokenProvider, durationMs: number): Promise<Throughput> {
  const client = await createFabric({ connect: new WebSocketDialer({ url: wsUrl, tokenProvider }) });
  try {
    return await measure(() => client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 }), durationMs, 1, durationMs / 4);
  } finally {
    await client.stop();
  }
}

/**
 * Signed RPC to the demo's Node agent in `overlay`, through the overlay sentinel over WebSocket:
 * this side runs a node in `overlay`, whose outbound stage signs each request and whose deliver
 * stage verifies each signed reply; the agent's node verifies the request and signs its reply
 * (node:crypto). `crypto: 'sync'` gives this node the platform's synchronous provider (noble in a
 * browser, node:crypto on Node) instead of the fastest one (WebCrypto Ed25519 in a browser).
 */
export async function signedRpc(
  overlayWsUrl: string,
  tokenProvider: TokenProvider,
  durationMs: number,
  crypto: 'fastest' | 'sync' = 'fastest',
): Promise<Throughput & { provider: string }> {
  const node = await attachOverlayNode(overlayWsUrl, tokenProvider, crypto);
  try {
    const result = await measure(() => overlayEcho(node, 'x'.repeat(100)), durationMs, 1, durationMs / 4);
    if (node.counts.signs < result.calls || node.counts.verifies < result.calls) {
      throw new Error(`the node signed ${node.counts.signs} and verified ${node.counts.verifies} times for ${result.calls} calls`);
    }
    return { ...result, provider: node.provider };
  } finally {
    await node.fabric.stop();
  }
}
