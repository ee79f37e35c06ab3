import { IMPLS, implOrder, withRoles } from '../proc.js';
import type { RunResult } from '../roles/host.js';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';
import { startTopology } from './ws-rpc.js';

const CHUNKS = 6;

/** Sequential RPCs on one connection in equal chunks: does throughput hold up as calls accumulate? */
export const wsSoakScenario: Scenario = {
  name: 'ws-soak',
  description: `${CHUNKS} chunks of sequential RPCs on one WebSocket connection: last chunk vs first`,
  async run({ rounds, smoke }) {
    const chunkMs = smoke ? 150 : 1_500;
    const samples = new Samples();
    const notes: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(IMPLS, r)) {
        await withRoles(async (start) => {
          const { sentinel, agent, client } = await startTopology(impl, `soak-${impl}-${r}`, start);
          const warmUp = () => client.request<RunResult>('run', { concurrency: 1, durationMs: chunkMs, timeoutMs: 5_000 });
          await warmUp();
          const rates: number[] = [];
          const heap0 = await Promise.all([sentinel, agent, client].map((p) => p.stats(true)));
          // Again after the baseline: its forced GC deoptimizes much of the hot path (see measureRpcPhases),
          // which made the first chunk the slowest of every column and hid a slowdown behind it.
          let calls = (await warmUp()).ok;
          for (let c = 0; c < CHUNKS; c++) {
            const result = await client.request<RunResult>('run', { concurrency: 1, durationMs: chunkMs, timeoutMs: 5_000 });
            rates.push(result.opsPerSec);
            calls += result.ok;
            if (result.errors + result.timeouts > 0)
              notes.push(
                `${impl} round ${r + 1} chunk ${c + 1}: ${result.errors} errors, ${result.timeouts} timeouts (${result.firstError})`,
              );
          }
          const heap1 = await Promise.all([sentinel, agent, client].map((p) => p.stats(true)));
          samples.add(impl, 'first', rates[0]);
          samples.add(impl, 'last', rates.at(-1));
          samples.add(impl, 'ratio', rates.at(-1)! / rates[0]!);
          samples.add(impl, 'min', Math.min(...rates) / rates[0]!);
          samples.add(impl, 'rss', heap1.reduce((sum, s, i) => sum + s.rss - heap0[i]!.rss, 0) / calls);
        });
      }
    }
    return {
      scenario: 'ws-soak',
      rows: [
        samples.row('first chunk', 'ops/s', 'first'),
        samples.row('last chunk', 'ops/s', 'last'),
        samples.row('last / first', '×', 'ratio', { vs: 'self', op: '>=', value: 0.95 }),
        samples.row('slowest / first', '×', 'min'),
        samples.row('RSS growth per RPC (3 processes)', 'bytes', 'rss'),
      ],
      notes: [
        `${CHUNKS} chunks of ${chunkMs} ms of sequential calls after a warm-up chunk, the RSS baseline (forced GC) and a second warm-up chunk, fresh processes per implementation and round`,
        ...notes,
      ],
    };
  },
};
