import { implOrder, withRoles } from '../proc.js';
import type { RoleSpec } from '../roles/host.js';
import { median } from '../measure.js';
import { Samples } from '../samples.js';
import type { Scenario } from '../scenario.js';

const SUBJECTS: readonly RoleSpec[] = [
  { impl: 'ours', role: 'sentinel' },
  { impl: 'reference', role: 'sentinel' },
  { impl: 'bare', role: 'http' },
];

/** Spawn → listening: our sentinel, the reference sentinel and a bare Node HTTP server. */
export const coldStartScenario: Scenario = {
  name: 'cold-start',
  description: 'spawn → listening on 127.0.0.1: our sentinel, the reference sentinel, a bare node:http server',
  async run({ rounds, smoke }) {
    const spawns = smoke ? 1 : 5;
    const samples = new Samples();
    for (let r = 0; r < rounds; r++) {
      for (const spec of implOrder(SUBJECTS, r)) {
        const times: number[] = [];
        const rss: number[] = [];
        for (let i = 0; i < spawns; i++) {
          await withRoles(async (start) => {
            const t0 = performance.now();
            const { proc } = await start(spec);
            times.push(performance.now() - t0);
            rss.push((await proc.stats()).rss / 2 ** 20);
          });
        }
        samples.add(spec.impl, 'ms', median(times));
        samples.add(spec.impl, 'rss', median(rss));
      }
    }
    return {
      scenario: 'cold-start',
      rows: [
        samples.row('spawn → listening', 'ms', 'ms', { vs: 'bare', op: '<=', value: 2 }),
        samples.row('RSS when listening', 'MiB', 'rss'),
      ],
      notes: [`per round the median of ${spawns} spawns of each; "listening" = the process reports its bound port`],
    };
  },
};
