import { IMPLS, implOrder, withRoles, type RoleProcess } from '../proc.js';
import type { ImplName, RunResult } from '../roles/host.js';
import type { Transport } from '../roles/impl.js';
import { Samples } from '../samples.js';
import type { Row, Scenario, Target } from '../scenario.js';

const GC = { nodeArgs: ['--expose-gc'] };

/** Sentinel, agent and client as three processes on 127.0.0.1; the client calls `add` in a loop. */
export async function startTopology(
  impl: ImplName,
  tag: string,
  start: Parameters<Parameters<typeof withRoles>[0]>[0],
  transport?: Transport,
  env?: Readonly<Record<string, string>>,
): Promise<{ sentinel: RoleProcess; agent: RoleProcess; client: RoleProcess }> {
  const via = { ...(transport !== undefined && { transport }), ...(env !== undefined && { env }) };
  const { proc: sentinel, ready } = await start({ impl, role: 'sentinel', ...via }, GC);
  const port = ready.port as number;
  const { proc: agent } = await start({ impl, role: 'agent', port, id: `agent-${tag}-${process.pid}`, ...via }, GC);
  const { proc: client } = await start({ impl, role: 'client', port, id: `client-${tag}-${process.pid}`, ...via }, GC);
  return { sentinel, agent, client };
}

/** How {@link measureRpcPhases} warms up, for the scenarios' notes. */
export const RPC_WARMUP =
  'a warm-up of one phase length at concurrency 8, the heap baseline (forced GC), the same warm-up again and a quarter phase sequentially (V8 re-optimizes what the forced GC deoptimized)';

/**
 * Runs the measured phases (after {@link RPC_WARMUP}, each `[name, concurrency]` for `durationMs`) on a
 * started topology and records, under `key`: ops/s, p50/p99 and CPU per RPC of each role per
 * phase, and the retained heap per RPC.
 */
export async function measureRpcPhases(
  samples: Samples,
  key: ImplName,
  roles: { sentinel: RoleProcess; agent: RoleProcess; client: RoleProcess },
  phases: readonly (readonly [name: string, concurrency: number, paceOpsPerSec?: number])[],
  timing: { durationMs: number; timeoutMs: number; label: string },
  notes: string[],
): Promise<void> {
  const { sentinel, agent, client } = roles;
  const { durationMs, timeoutMs } = timing;
  const run = (concurrency: number, ms: number, paceOpsPerSec?: number) =>
    client.request<RunResult>(
      'run',
      { concurrency, durationMs: ms, timeoutMs, ...(paceOpsPerSec !== undefined && { paceOpsPerSec }) },
      ms + timeoutMs + 60_000,
    );
  // V8 goes on optimizing the hot path for a few thousand RPCs, and the forced GC of the heap
  // baseline deoptimizes much of what it made (~70 functions of a sentinel: optimized code that
  // embeds objects held only weakly). Measured phases that began right after both spent their
  // first seconds re-optimizing (TurboFan ~80, 60, 30 functions a second; latency falling
  // twofold). So: warm up, take the baseline, warm up again, then run the sequential path once.
  await run(8, durationMs);
  const heap0 = await Promise.all([sentinel, agent, client].map((p) => p.stats(true)));
  let calls = (await run(8, durationMs)).ok + (await run(1, durationMs / 4)).ok;
  for (const [phase, concurrency, pace] of phases) {
    const before = await Promise.all([sentinel.stats(), agent.stats()]);
    const result = await run(concurrency, durationMs, pace);
    const after = await Promise.all([sentinel.stats(), agent.stats()]);
    calls += result.ok;
    const perCall = (us: number) => (result.ok > 0 ? us / result.ok : undefined);
    samples.add(key, `${phase}.ops`, result.opsPerSec);
    samples.add(key, `${phase}.p50`, result.p50);
    samples.add(key, `${phase}.p99`, result.p99);
    samples.add(key, `${phase}.cpu.sentinel`, perCall(after[0].cpuUs - before[0].cpuUs));
    samples.add(key, `${phase}.cpu.agent`, perCall(after[1].cpuUs - before[1].cpuUs));
    samples.add(key, `${phase}.cpu.client`, perCall(result.cpuUs));
    if (result.errors + result.timeouts > 0)
      notes.push(
        `${timing.label} ${phase}: ${result.ok} ok, ${result.errors} errors, ${result.timeouts} timeouts in ${Math.round(result.elapsedMs)} ms (${result.firstError})`,
      );
  }
  const heap1 = await Promise.all([sentinel, agent, client].map((p) => p.stats(true)));
  const retained = heap1.reduce((sum, s, i) => sum + s.heapUsed - heap0[i]!.heapUsed, 0);
  samples.add(key, 'heap', calls > 0 ? retained / calls : undefined);
}

/**
 * The rows of what {@link measureRpcPhases} recorded, for a sequential phase `seq` and one
 * concurrent phase (`c64` labelled `concurrency 64`): throughput and latency of each, CPU per RPC
 * of each role in each, and the retained heap.
 */
export function rpcRows(samples: Samples, concurrent: string, targets: { readonly ops?: Target; readonly cpu?: Target } = {}): Row[] {
  const level = concurrent.slice(1);
  return [
    samples.row('sequential', 'ops/s', 'seq.ops', targets.ops),
    samples.row('sequential p50', 'ms', 'seq.p50'),
    samples.row('sequential p99', 'ms', 'seq.p99'),
    samples.row(`concurrency ${level}`, 'ops/s', `${concurrent}.ops`, targets.ops),
    samples.row(`concurrency ${level} p50`, 'ms', `${concurrent}.p50`),
    samples.row(`concurrency ${level} p99`, 'ms', `${concurrent}.p99`),
    ...(['sentinel', 'agent', 'client'] as const).flatMap((role) => [
      samples.row(`CPU per RPC, ${role}, sequential`, 'µs', `seq.cpu.${role}`, targets.cpu),
      samples.row(`CPU per RPC, ${role}, c=${level}`, 'µs', `${concurrent}.cpu.${role}`, targets.cpu),
    ]),
    samples.row('retained heap per RPC (3 processes)', 'bytes', 'heap'),
  ];
}

export const wsRpcScenario: Scenario = {
  name: 'ws-rpc',
  description: 'sentinel, agent and client processes over WebSocket: sequential and concurrency-64 RPC, CPU and heap per RPC',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 3_000;
    const timeoutMs = smoke ? 2_000 : 5_000;
    const samples = new Samples();
    const notes: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(IMPLS, r)) {
        await withRoles(async (start) => {
          const roles = await startTopology(impl, `${impl}-${r}`, start);
          const phases = [
            ['seq', 1],
            ['c64', 64],
          ] as const;
          await measureRpcPhases(samples, impl, roles, phases, { durationMs, timeoutMs, label: `${impl} round ${r + 1}` }, notes);
        });
      }
    }
    const half: Target = { vs: 'bare', op: '>=', value: 0.5 };
    const cpu: Target = { vs: 'bare', op: '<=', value: 2 };
    return {
      scenario: 'ws-rpc',
      rows: rpcRows(samples, 'c64', { ops: half, cpu }),
      notes: [
        `each phase runs ${durationMs} ms (per-call timeout ${timeoutMs} ms) after ${RPC_WARMUP}; fresh processes per implementation and round; CPU from process.cpuUsage() of each role; heap is post-GC heapUsed growth over both phases`,
        'wire size per RPC: ours and the reference ~400-byte FAME envelopes each way (plus CreditUpdates), bare ~100-byte requests and ~35-byte replies with no flow control',
        ...notes,
      ],
    };
  },
};
