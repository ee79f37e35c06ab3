import { IMPLS, implOrder, withRoles, type RoleProcess } from '../proc.js';
import type { RunResult } from '../roles/host.js';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

interface ProduceReply {
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
}

const MB = 1024 * 1024;

/**
 * One stuck consumer must not slow anyone else down. A producer sends one-way messages at a
 * fixed rate and makes calls of its own; a bystander makes calls to the same agent. Phase 1
 * (healthy): the producer's messages go to a consumer that takes them. Phase 2 (stalled): they
 * go to a consumer that stays attached but takes nothing. Reported: the bystander's and the producer's
 * call rates in phase 2 as a fraction of phase 1, and how much the sentinel's peak RSS grew.
 */
export const slowConsumerScenario: Scenario = {
  name: 'slow-consumer',
  description: 'bystander and producer RPC rates while one consumer is stuck, vs healthy; sentinel peak RSS growth',
  async run({ rounds, smoke }) {
    const phaseMs = smoke ? 1_000 : 8_000;
    const rate = smoke ? 200 : 1_000;
    const samples = new Samples();
    const notes: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(
        IMPLS.filter((i) => i !== 'bare'),
        r,
      )) {
        await withRoles(async (start) => {
          const { proc: sentinel, ready } = await start({ impl, role: 'sentinel' });
          const port = ready.port as number;
          const tag = `${impl}-${r}-${process.pid}`;
          await start({ impl, role: 'agent', port, id: `sc-agent-${tag}` });
          await start({ impl, role: 'consumer', port, id: `sc-healthy-${tag}`, address: 'healthy@fame.fabric' });
          await start({ impl, role: 'consumer', port, id: `sc-stuck-${tag}`, address: 'stuck@fame.fabric', stuck: true });
          const { proc: producer } = await start({ impl, role: 'producer', port, id: `sc-producer-${tag}` });
          const { proc: bystander } = await start({ impl, role: 'client', port, id: `sc-bystander-${tag}` });

          const phase = async (to: string) => {
            const calls = { concurrency: 4, durationMs: phaseMs, timeoutMs: 5_000 };
            const [produced, own, other] = await Promise.all([
              producer.request<ProduceReply>(
                'produce',
                { to, rate, durationMs: phaseMs, payloadBytes: 256, maxPending: 10_000 },
                phaseMs + 60_000,
              ),
              producer.request<RunResult>('run', { ...calls, concurrency: 1 }, phaseMs + 60_000),
              bystander.request<RunResult>('run', calls, phaseMs + 60_000),
            ]);
            return { produced, own, other, maxRss: (await sentinel.stats()).maxRss };
          };
          await warmUp(bystander);
          const healthy = await phase('healthy@fame.fabric');
          const stalled = await phase('stuck@fame.fabric');
          samples.add(impl, 'bystander.healthy', healthy.other.opsPerSec);
          samples.add(impl, 'bystander.ratio', stalled.other.opsPerSec / healthy.other.opsPerSec);
          samples.add(impl, 'producer.ratio', stalled.own.opsPerSec / healthy.own.opsPerSec);
          samples.add(impl, 'bystander.p99', stalled.other.p99 ?? undefined);
          samples.add(impl, 'rss.growth', (stalled.maxRss - healthy.maxRss) / MB);
          samples.add(impl, 'rss.peak', stalled.maxRss / MB);
          const failures = stalled.other.errors + stalled.other.timeouts + stalled.own.errors + stalled.own.timeouts;
          notes.push(
            `${impl} round ${r + 1}: stalled phase — producer sent ${stalled.produced.sent}, refused ${stalled.produced.failed}, ` +
              `held back ${stalled.produced.skipped + stalled.produced.pending}; ${failures} calls failed or timed out` +
              ((stalled.other.firstError ?? stalled.own.firstError) ? ` (${stalled.other.firstError ?? stalled.own.firstError})` : ''),
          );
        });
      }
    }
    return {
      scenario: 'slow-consumer',
      rows: [
        samples.row('bystander RPC rate, healthy', 'calls/s', 'bystander.healthy'),
        samples.row('bystander RPC rate, stalled / healthy', 'ratio', 'bystander.ratio', { vs: 'self', op: '>=', value: 0.9 }),
        samples.row("producer's own RPC rate, stalled / healthy", 'ratio', 'producer.ratio', { vs: 'self', op: '>=', value: 0.9 }),
        samples.row('bystander RPC latency p99, stalled', 'ms', 'bystander.p99'),
        samples.row('sentinel peak RSS growth during the stall', 'MB', 'rss.growth', { vs: 'self', op: '<=', value: 64 }),
        samples.row('sentinel peak RSS', 'MB', 'rss.peak'),
      ],
      notes: [
        `each phase ${phaseMs} ms; producer: ${rate} one-way messages/s of 256 bytes plus its own sequential calls; bystander: 4 concurrent calls; healthy phase sends to a consumer that takes everything, stalled phase to one that takes nothing`,
        ...notes,
      ],
    };
  },
};

async function warmUp(client: RoleProcess): Promise<void> {
  await client.request('run', { concurrency: 4, calls: 200, timeoutMs: 5_000 });
}
