import { percentile } from '../measure.js';
import { IMPLS, implOrder, withRoles, type RoleProcess, type StartOptions } from '../proc.js';
import type { ImplName, RoleSpec } from '../roles/host.js';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

interface AttachReply {
  latencies: number[];
  failures: number;
  firstError?: string;
}
interface BlastReply {
  sent: number;
  sendErrors: number;
  rpcOk: number;
  rpcErrors: number;
  firstError?: string;
}

const ONEWAY = 3;

type Start = (spec: RoleSpec, options?: StartOptions) => Promise<{ proc: RoleProcess; ready: Record<string, unknown> }>;

/**
 * A sentinel of `impl`, an agent and the helper processes of the clients, and the attach of
 * every client: the sentinel's CPU over it (µs) and what each helper reported.
 */
async function attachAll(
  start: Start,
  impl: ImplName,
  tag: string,
  shape: { helpers: number; perHelper: number; concurrency: number },
  env?: Readonly<Record<string, string>>,
): Promise<{
  sentinel: RoleProcess;
  agent: RoleProcess;
  fans: RoleProcess[];
  cpu: number;
  before: { rss: number; heapUsed: number };
  attached: AttachReply[];
}> {
  const withEnv = env === undefined ? {} : { env };
  const { proc: sentinel, ready } = await start({ impl, role: 'sentinel', ...withEnv }, { nodeArgs: ['--expose-gc'] });
  const port = ready.port as number;
  const { proc: agent } = await start({ impl, role: 'agent', port, id: `fan-agent-${tag}` });
  const fans = await Promise.all(
    Array.from(
      { length: shape.helpers },
      async (_, h) => (await start({ impl, role: 'fanin', port, id: `fan-${tag}-${h}`, ...withEnv })).proc,
    ),
  );
  const before = await sentinel.stats(true);
  const attached = await Promise.all(
    fans.map((f) => f.request<AttachReply>('attach', { count: shape.perHelper, concurrency: shape.concurrency }, 600_000)),
  );
  const cpu = (await sentinel.stats()).cpuUs - before.cpuUs;
  return { sentinel, agent, fans, cpu, before, attached };
}

/**
 * Many clients on one sentinel: attach cost and memory at the sentinel, then every client sends
 * three one-way messages and one RPC at once, unpaced; the agent counts what arrives.
 */
export const faninScenario: Scenario = {
  name: 'fanin',
  description: '1,000 clients (in helper processes) attach to one sentinel, then all send 3 one-way messages + 1 RPC at once',
  async run({ rounds, smoke }) {
    const helpers = smoke ? 2 : 4;
    const perHelper = smoke ? 10 : 250;
    const attachConcurrency = 16;
    const shape = { helpers, perHelper, concurrency: attachConcurrency };
    const timeoutMs = smoke ? 5_000 : 20_000;
    const samples = new Samples();
    const notes: string[] = [];
    const exchange: number[] = [];
    const exchangeRss: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(IMPLS, r)) {
        await withRoles(async (start) => {
          const { sentinel, agent, fans, cpu, before, attached } = await attachAll(start, impl, `${impl}-${r}-${process.pid}`, shape);
          const after = await sentinel.stats(true);
          const latencies = attached.flatMap((a) => a.latencies);
          const nodes = latencies.length;
          const failures = attached.reduce((n, a) => n + a.failures, 0);
          if (failures > 0)
            notes.push(`${impl} round ${r + 1}: ${failures} attaches failed (${attached.find((a) => a.firstError)?.firstError})`);
          samples.add(impl, 'attach.p50', percentile(latencies, 50));
          samples.add(impl, 'attach.p99', percentile(latencies, 99));
          samples.add(impl, 'attach.cpu', nodes > 0 ? cpu / nodes : undefined);
          samples.add(impl, 'attach.rate', nodes > 0 ? nodes / (cpu / 1e6) : undefined);
          samples.add(impl, 'attach.rss', nodes > 0 ? (after.rss - before.rss) / nodes / 1024 : undefined);
          samples.add(impl, 'attach.heap', nodes > 0 ? (after.heapUsed - before.heapUsed) / nodes / 1024 : undefined);

          const blasts = await Promise.all(
            fans.map((f) => f.request<BlastReply>('blast', { oneway: ONEWAY, timeoutMs }, timeoutMs + 60_000)),
          );
          // wait until the agent has everything, or until nothing more arrives for a while
          const expected = nodes * ONEWAY;
          let delivered = -1;
          for (let quiet = 0, last = -1; quiet < 10; quiet = delivered === last ? quiet + 1 : 0) {
            last = delivered;
            delivered = (await agent.request<{ delivered: number }>('delivered')).delivered;
            if (delivered >= expected) break;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          const rpcErrors = blasts.reduce((n, b) => n + b.rpcErrors, 0);
          samples.add(impl, 'delivered', delivered);
          samples.add(impl, 'lost', expected - delivered);
          samples.add(impl, 'rpcErrors', rpcErrors);
          const sendErrors = blasts.reduce((n, b) => n + b.sendErrors, 0);
          if (rpcErrors + sendErrors > 0)
            notes.push(
              `${impl} round ${r + 1}: ${rpcErrors} RPC errors, ${sendErrors} send errors (${blasts.find((b) => b.firstError)?.firstError})`,
            );
        });
      }
      // The floor of an attach with one message exchange: the bare relay answering one small
      // message per client after the upgrade (what NodeAttach / NodeAttachAck cost over `ws` at least).
      await withRoles(async (start) => {
        const { sentinel, cpu, before, attached } = await attachAll(start, 'bare', `bare-ack-${r}-${process.pid}`, shape, {
          BENCH_BARE_ATTACH_ACK: '1',
        });
        const after = await sentinel.stats(true);
        const nodes = attached.reduce((n, a) => n + a.latencies.length, 0);
        exchange.push(nodes > 0 ? cpu / nodes : NaN);
        exchangeRss.push(nodes > 0 ? (after.rss - before.rss) / nodes / 1024 : NaN);
      });
    }
    const bareCpu = samples.values('bare', 'attach.cpu').filter((v): v is number => v !== undefined);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    return {
      scenario: 'fanin',
      rows: [
        samples.row('attach latency p50', 'ms', 'attach.p50'),
        samples.row('attach latency p99', 'ms', 'attach.p99'),
        samples.row('sentinel CPU per attach', 'µs', 'attach.cpu'),
        samples.row('attaches per sentinel CPU-second', 'attaches', 'attach.rate', { vs: 'reference', op: '>=', value: 10 }),
        samples.row('sentinel RSS per attached node', 'KiB', 'attach.rss', { vs: 'reference', op: '<=', value: 0.25 }),
        samples.row('sentinel heap per attached node', 'KiB', 'attach.heap'),
        samples.row(`one-way messages delivered (of ${helpers * perHelper * ONEWAY})`, 'msgs', 'delivered'),
        samples.row('one-way messages lost', 'msgs', 'lost', { vs: 'self', op: '<=', value: 0 }),
        samples.row(`RPC errors (of ${helpers * perHelper})`, 'calls', 'rpcErrors', { vs: 'self', op: '<=', value: 0 }),
      ],
      notes: [
        `${helpers * perHelper} clients in ${helpers} helper processes, ${attachConcurrency} attaches in flight per helper; every client has a unique id; RPC timeout ${timeoutMs} ms; sentinel figures are process.cpuUsage() and post-GC memory over the attach phase`,
        `the bare relay answering one small message per client after the upgrade (the floor of an attach with one message exchange over ws): sentinel CPU per attach ${median(exchange).toFixed(0)} µs (rounds: ${exchange.map((v) => v.toFixed(0)).join(', ')}), ${(median(exchange) / median(bareCpu)).toFixed(2)}× plain bare; RSS per attached node ${median(exchangeRss).toFixed(1)} KiB (rounds: ${exchangeRss.map((v) => v.toFixed(1)).join(', ')})`,
        ...notes,
      ],
    };
  },
};
