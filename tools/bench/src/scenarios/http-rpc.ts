import { implOrder, withRoles } from '../proc.js';
import type { ImplName } from '../roles/host.js';
import type { Transport } from '../roles/impl.js';
import { Samples } from '../samples.js';
import type { Scenario, Target } from '../scenario.js';
import { measureRpcPhases, RPC_WARMUP, rpcRows, startTopology } from './ws-rpc.js';

/** What runs in each column: ours and the reference over HTTP; the "bare" column is ours over WebSocket. */
const VARIANTS: readonly { readonly column: ImplName; readonly impl: ImplName; readonly transport: Transport }[] = [
  { column: 'ours', impl: 'ours', transport: 'http' },
  { column: 'reference', impl: 'reference', transport: 'http' },
  { column: 'bare', impl: 'ours', transport: 'ws' },
];

export const httpRpcScenario: Scenario = {
  name: 'http-rpc',
  description:
    'sentinel, agent and client processes, agent and client attached over HTTP: sequential and concurrency-32 RPC; baseline column = ours over WebSocket',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 3_000;
    const timeoutMs = smoke ? 2_000 : 5_000;
    const samples = new Samples();
    const notes: string[] = [];
    const phases = [
      ['seq', 1],
      ['c32', 32],
    ] as const;
    for (let r = 0; r < rounds; r++) {
      for (const variant of implOrder(VARIANTS, r)) {
        await withRoles(async (start) => {
          const roles = await startTopology(variant.impl, `${variant.column}-${r}`, start, variant.transport);
          const label = `${variant.impl} over ${variant.transport} round ${r + 1}`;
          const timing = { durationMs, timeoutMs, label };
          await measureRpcPhases(samples, variant.column, roles, phases, timing, notes);
        });
      }
    }
    const tenfold: Target = { vs: 'reference', op: '>=', value: 10 };
    return {
      scenario: 'http-rpc',
      rows: rpcRows(samples, 'c32', { ops: tenfold }),
      notes: [
        'the "bare" column of this scenario is OURS OVER WEBSOCKET in the same topology (so ours/bare = HTTP / WebSocket); ours and the reference attach agent and client over HTTP (each with its own callback listener), the sentinel serves WebSocket and HTTP on one port',
        `each phase runs ${durationMs} ms (per-call timeout ${timeoutMs} ms) after ${RPC_WARMUP}; fresh processes per variant and round; an RPC is 4 HTTP requests (client → sentinel → agent → sentinel → client), each answered 202`,
        ...notes,
      ],
    };
  },
};
