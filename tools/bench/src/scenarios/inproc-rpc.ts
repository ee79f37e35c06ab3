import { implOrder, withRoles } from '../proc.js';
import type { RunResult } from '../roles/host.js';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

/**
 * Issue 4: unary RPC on an in-process fabric (no network), sequential and 64 concurrent
 * callers, ours vs the reference, each in a fresh child process per round (the reference's
 * memory grows with the number of calls, so its phases are bounded by time).
 */
export const inprocRpcScenario: Scenario = {
  name: 'inproc-rpc',
  description: 'in-process fabric: serve + invoke, sequential and concurrency 64, ours vs the reference',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 2_000;
    const timeoutMs = 10_000;
    const samples = new Samples();
    const notes: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(['ours', 'reference'] as const, r)) {
        await withRoles(async (start) => {
          const { proc } = await start({ impl, role: 'inproc' });
          const run = (concurrency: number, ms: number) => proc.request<RunResult>('run', { concurrency, durationMs: ms, timeoutMs });
          await run(1, durationMs / 4); // warm-up
          for (const [phase, concurrency] of [
            ['seq', 1],
            ['c64', 64],
          ] as const) {
            const result = await run(concurrency, durationMs);
            samples.add(impl, `${phase}.ops`, result.opsPerSec);
            samples.add(impl, `${phase}.p50`, result.p50 === null ? null : result.p50 * 1000);
            samples.add(impl, `${phase}.p99`, result.p99 === null ? null : result.p99 * 1000);
            if (result.errors + result.timeouts > 0)
              notes.push(`${impl} ${phase} round ${r + 1}: ${result.errors} errors, ${result.timeouts} timeouts (${result.firstError})`);
          }
        });
      }
    }
    return {
      scenario: 'inproc-rpc',
      rows: [
        samples.row('sequential', 'ops/s', 'seq.ops', { vs: 'reference', op: '>=', value: 25 }),
        samples.row('sequential p50', 'µs', 'seq.p50'),
        samples.row('sequential p99', 'µs', 'seq.p99'),
        samples.row('concurrency 64', 'ops/s', 'c64.ops'),
        samples.row('concurrency 64 p50', 'µs', 'c64.p50'),
        samples.row('concurrency 64 p99', 'µs', 'c64.p99'),
      ],
      notes: [`each phase runs ${durationMs} ms after a warm-up, in a fresh process per implementation and round`, ...notes],
    };
  },
};
