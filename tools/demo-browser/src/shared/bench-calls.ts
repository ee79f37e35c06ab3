/**
 * The browser benchmark's calls, written once: a page runs them in Chromium (browser entries,
 * noble + WebCrypto) and the bench runs them in Node (Node entries, node:crypto), so the ratio
 * of the two is the cost of the browser.
 */
import { randomId, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { defaultCryptoProvider, loadDefaultCryptoProvider } from '@naylence/security';
import { inPageDialer, inPageListener } from '@naylence/transport-inpage';
import { WebSocketDialer } from '@naylence/transport-ws';
import { SigningParty } from './signed-exchange.js';

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
 * Signed RPC to the demo's Node signer over WebSocket: each call signs a Data envelope here,
 * the Node agent verifies it and answers with one it signed, which is verified here (the
 * signature work of one overlay round trip, both ends). `crypto: 'sync'` signs with the
 * platform's synchronous provider (noble in a browser, node:crypto on Node) instead of the
 * fastest one (WebCrypto Ed25519 in a browser).
 */
export async function signedRpc(
  wsUrl: string,
  tokenProvider: TokenProvider,
  durationMs: number,
  crypto: 'fastest' | 'sync' = 'fastest',
): Promise<Throughput & { provider: string }> {
  const provider = crypto === 'sync' ? defaultCryptoProvider() : await loadDefaultCryptoProvider();
  const client = await createFabric({ connect: new WebSocketDialer({ url: wsUrl, tokenProvider }) });
  try {
    const party = new SigningParty(provider, client.physicalPath);
    party.learn(await client.invoke<{ path: string; keys: object[] }>('signer@fame.fabric', 'exchangeKeys', party.shareable()));
    const call = async () => {
      const envelope = await party.sign('signer@fame.fabric', { n: 1 });
      const { answer } = await client.invoke<{ answer: Parameters<SigningParty['verify']>[0] }>('signer@fame.fabric', 'verifyAndAnswer', {
        envelope,
      });
      await party.verify(answer);
    };
    return { ...(await measure(call, durationMs, 1, durationMs / 4)), provider: provider.name };
  } finally {
    await client.stop();
  }
}
