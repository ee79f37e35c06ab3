/**
 * `gated` against `open` on our sentinel (issue 12): the sentinel's CPU per attach (a JWT
 * verified against the token server's JWKS, then the NodeAttach checks) and RPC throughput,
 * which must equal open within noise because tokens are checked at attach, never per envelope.
 * The token server (`runOAuth2Server`) runs in the bench process, so its work is not counted.
 */
import { runOAuth2Server } from '@naylence/cli';
import { withRoles } from '../proc.js';
import { Samples } from '../samples.js';
import type { Row, Scenario, Target } from '../scenario.js';
import { measureRpcPhases } from './ws-rpc.js';

const CLIENT = { id: 'bench-client', secret: 'bench-secret-0123456789abcdef0123' };

interface AttachReply {
  latencies: number[];
  failures: number;
  firstError?: string;
}

export const gatedScenario: Scenario = {
  name: 'gated',
  description: 'our sentinel in gated (OAuth2 tokens checked at attach) vs open: sentinel CPU per attach, RPC throughput',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 3_000;
    const timeoutMs = smoke ? 2_000 : 5_000;
    const attaches = smoke ? 10 : 300;
    const samples = new Samples();
    const notes: string[] = [];
    await using tokens = await runOAuth2Server({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      port: 0,
      audience: 'fame.fabric',
      issuer: (u) => u,
    });
    const gated = {
      sentinel: {
        FAME_SECURITY_PROFILE: 'gated',
        FAME_JWT_TRUSTED_ISSUER: tokens.issuer,
        FAME_JWT_AUDIENCE: 'fame.fabric',
        FAME_JWT_ALGORITHM: 'EdDSA',
      },
      child: {
        FAME_SECURITY_PROFILE: 'gated',
        FAME_ADMISSION_TOKEN_URL: tokens.tokenUrl,
        FAME_ADMISSION_CLIENT_ID: CLIENT.id,
        FAME_ADMISSION_CLIENT_SECRET: CLIENT.secret,
        FAME_JWT_AUDIENCE: 'fame.fabric',
      },
    };
    for (let r = 0; r < rounds; r++) {
      for (const variant of r % 2 === 0 ? (['open', 'gated'] as const) : (['gated', 'open'] as const)) {
        await withRoles(async (start) => {
          const env = variant === 'gated' ? gated : undefined;
          const { proc: sentinel, ready } = await start(
            { impl: 'ours', role: 'sentinel', ...(env && { env: env.sentinel }) },
            { nodeArgs: ['--expose-gc'] },
          );
          const port = ready.port as number;
          const child = (role: 'agent' | 'client' | 'fanin', id: string) => ({
            impl: 'ours' as const,
            role,
            port,
            id,
            ...(env && { env: env.child }),
          });
          const { proc: agent } = await start(child('agent', `gated-agent-${variant}-${r}-${process.pid}`), { nodeArgs: ['--expose-gc'] });
          const { proc: client } = await start(child('client', `gated-client-${variant}-${r}-${process.pid}`), {
            nodeArgs: ['--expose-gc'],
          });
          const phases = [
            [`${variant}.seq`, 1],
            [`${variant}.c32`, 32],
          ] as const;
          await measureRpcPhases(
            samples,
            'ours',
            { sentinel, agent, client },
            phases,
            { durationMs, timeoutMs, label: `${variant} round ${r + 1}` },
            notes,
          );

          const { proc: fan } = await start(child('fanin', `gated-fan-${variant}-${r}-${process.pid}`));
          const before = await sentinel.stats();
          const reply = await fan.request<AttachReply>('attach', { count: attaches, concurrency: 16 }, 600_000);
          const cpu = (await sentinel.stats()).cpuUs - before.cpuUs;
          const nodes = reply.latencies.length;
          if (reply.failures > 0) notes.push(`${variant} round ${r + 1}: ${reply.failures} attaches failed (${reply.firstError})`);
          samples.add('ours', `${variant}.attach.cpu`, nodes > 0 ? cpu / nodes : undefined);
        });
      }
      const ratio = (metric: string) => {
        const g = samples.values('ours', `gated.${metric}`).at(-1);
        const o = samples.values('ours', `open.${metric}`).at(-1);
        samples.add('ours', `ratio.${metric}`, g === undefined || o === undefined ? undefined : g / o);
      };
      ratio('seq.ops');
      ratio('c32.ops');
      ratio('attach.cpu');
    }
    const equal: Target = { vs: 'self', op: '>=', value: 0.9 };
    const rows: Row[] = [
      samples.row('sentinel CPU per attach, open', 'µs', 'open.attach.cpu'),
      samples.row('sentinel CPU per attach, gated (JWT verified)', 'µs', 'gated.attach.cpu'),
      samples.row('attach CPU gated / open', 'ratio', 'ratio.attach.cpu'),
      samples.row('RPC sequential, open', 'ops/s', 'open.seq.ops'),
      samples.row('RPC sequential, gated', 'ops/s', 'gated.seq.ops'),
      samples.row('RPC sequential gated / open', 'ratio', 'ratio.seq.ops', equal),
      samples.row('RPC concurrency 32, open', 'ops/s', 'open.c32.ops'),
      samples.row('RPC concurrency 32, gated', 'ops/s', 'gated.c32.ops'),
      samples.row('RPC concurrency 32 gated / open', 'ratio', 'ratio.c32.ops', equal),
      ...(['sentinel', 'agent', 'client'] as const).flatMap((role) => [
        samples.row(`${role} CPU per RPC c=32, open`, 'µs', `open.c32.cpu.${role}`),
        samples.row(`${role} CPU per RPC c=32, gated`, 'µs', `gated.c32.cpu.${role}`),
      ]),
    ];
    return {
      scenario: 'gated',
      rows,
      notes: [
        `each RPC phase runs ${durationMs} ms; then ${attaches} clients attach (16 at a time) from one helper process, each with a fresh client-credentials token from the bench's own token server; sentinel CPU from process.cpuUsage()`,
        ...notes,
      ],
    };
  },
};
