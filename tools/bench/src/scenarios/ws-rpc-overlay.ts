/**
 * Signed RPC (`overlay`) over WebSocket: sentinel, agent and client as three processes, each
 * configured by the reference's variables (`FAME_SECURITY_PROFILE=overlay`,
 * `FAME_AUTHORIZATION_PROFILE=noop`). Ours, the reference and the bare relay (no signatures)
 * in one run, sequential and at concurrency 32, plus our `open` figures of the same run and the
 * crypto floor (node:crypto Ed25519 sign + verify) measured on this machine.
 *
 * Per-role CPU target (issue 11): ≤ 1.5 × (our open CPU per RPC + the floor of the signatures the
 * role makes and checks). Per RPC the client signs the request and verifies the reply, the
 * agent verifies the request and signs the reply, and our sentinel checks signers without any
 * Ed25519 work (docs/guides/security-profiles.md, "Verification placement").
 */
import { createEnvelope, decodeEnvelope, encodeEnvelope, type FameEnvelope } from '@naylence/core';
import { defaultCryptoProvider, NodeKeys, nodeSecurityFromEnv } from '@naylence/security';
import { consume, measureRate, summarize } from '../measure.js';
import { IMPLS, implOrder, withRoles } from '../proc.js';
import { Samples } from '../samples.js';
import type { Row, Scenario, Target } from '../scenario.js';
import { measureRpcPhases, RPC_WARMUP, startTopology } from './ws-rpc.js';

const OVERLAY = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };
const ROLES = ['sentinel', 'agent', 'client'] as const;
/** Ed25519 operations each role performs per signed RPC (sign, verify). */
const CRYPTO_PER_ROLE: Readonly<Record<(typeof ROLES)[number], { sign: number; verify: number }>> = {
  sentinel: { sign: 0, verify: 0 },
  agent: { sign: 1, verify: 1 },
  client: { sign: 1, verify: 1 },
};

/**
 * µs our sentinel's security stages spend on one forwarded envelope (the ingress checks on
 * arrival from a child, the outbound stage passing it on), in this process: what the sentinel's
 * CPU per signed RPC should exceed its open CPU by, were per-call wake-ups equal.
 */
function sentinelStagesUs(durationMs: number): number {
  const env = { ...OVERLAY };
  const hub = nodeSecurityFromEnv({ env, acceptsLinks: true });
  const client = new NodeKeys();
  hub.keyStore!.addKeys(client.shareableKeys(), '/hub/client');
  const request = client.envelopeSigner('/hub/client').sign(
    createEnvelope({
      to: 'math@fame.fabric',
      replyTo: '__rpc__x@/hub/client',
      corrId: 'c',
      rtype: 2,
      frame: { type: 'Data', payload: { jsonrpc: '2.0', id: 'c', method: 'add', params: { x: 1, y: 2 } } },
    }),
  );
  const wire = decodeEnvelope(encodeEnvelope(request));
  const link = { role: 'downstream' as const, systemId: 'client', physicalPath: '/hub/client', principal: undefined };
  const context = {
    node: { systemId: 'hub', physicalPath: '/hub', sid: 'hub-sid' },
    origin: 'downstream' as const,
    link,
    response: false,
    inReplyTo: undefined,
  };
  const inbound = hub.inbound!;
  const outbound = hub.outbound!;
  return 1e6 / measureRate(() => consume(outbound(inbound(wire, context) as FameEnvelope, context)), durationMs, 1_000).opsPerSec;
}

/** µs per Ed25519 sign and verify with node:crypto, on a message the size of a request's bytes-to-sign. */
function cryptoFloor(durationMs: number): { signUs: number; verifyUs: number } {
  const p = defaultCryptoProvider();
  const { privateKey, publicKey } = p.ed25519.generateKeyPair();
  const sign = p.ed25519.signer(privateKey);
  const verify = p.ed25519.verifier(publicKey);
  const message = new TextEncoder().encode('x'.repeat(250));
  const signature = sign(message);
  const signs = measureRate(() => consume(sign(message)), durationMs, 50).opsPerSec;
  const verifies = measureRate(() => consume(verify(message, signature)), durationMs, 50).opsPerSec;
  return { signUs: 1e6 / signs, verifyUs: 1e6 / verifies };
}

export const wsRpcOverlayScenario: Scenario = {
  name: 'ws-rpc-overlay',
  description: 'signed RPC (overlay) over WebSocket: ours, the reference and the bare relay; our open run; the Ed25519 floor; CPU per role',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 3_000;
    const timeoutMs = smoke ? 2_000 : 10_000;
    const samples = new Samples();
    const notes: string[] = [];
    const floors: { signUs: number; verifyUs: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const impl of implOrder(IMPLS, r)) {
        await withRoles(async (start) => {
          const env = impl === 'bare' ? undefined : OVERLAY;
          const roles = await startTopology(impl, `${impl}-${r}`, start, undefined, env);
          const phases = [
            ['seq', 1],
            ['c32', 32],
          ] as const;
          await measureRpcPhases(samples, impl, roles, phases, { durationMs, timeoutMs, label: `${impl} round ${r + 1}` }, notes);
        });
        if (impl !== 'ours') continue;
        // Our open run right after: at full speed, and paced to the signed run's throughput, so
        // that CPU per call is compared at the same load (per-call CPU rises as the rate falls:
        // fewer messages share each socket read and event-loop turn).
        const signedRate = (phase: string) => samples.values('ours', `${phase}.ops`).at(-1) ?? 1;
        await withRoles(async (start) => {
          const roles = await startTopology('ours', `ours-open-${r}`, start);
          const phases = [
            ['open.seq', 1],
            ['open.c32', 32],
            ['open.seq.paced', 1, signedRate('seq')],
            ['open.c32.paced', 32, signedRate('c32')],
          ] as const;
          await measureRpcPhases(samples, 'ours', roles, phases, { durationMs, timeoutMs, label: `ours open round ${r + 1}` }, notes);
        });
      }
      floors.push(cryptoFloor(smoke ? 50 : 700));
      samples.add('ours', 'sentinel.stages', sentinelStagesUs(smoke ? 50 : 500));
    }
    const floor = { signUs: summarize(floors.map((f) => f.signUs)).median, verifyUs: summarize(floors.map((f) => f.verifyUs)).median };
    for (const phase of ['seq', 'c32']) {
      for (const role of ROLES) {
        const ops = CRYPTO_PER_ROLE[role];
        const budget = (open: number | undefined) =>
          open === undefined ? undefined : open + ops.sign * floor.signUs + ops.verify * floor.verifyUs;
        const signed = samples.values('ours', `${phase}.cpu.${role}`);
        const open = samples.values('ours', `open.${phase}.paced.cpu.${role}`);
        signed.forEach((cpu, i) => {
          const b = budget(open[i]);
          samples.add('ours', `${phase}.cpu.${role}.vs-budget`, cpu === undefined || b === undefined ? undefined : cpu / b);
        });
      }
    }
    const thirty: Target = { vs: 'reference', op: '>=', value: 30 };
    const withinBudget: Target = { vs: 'self', op: '<=', value: 1.5 };
    const rows: Row[] = [
      samples.row('signed RPC, sequential', 'ops/s', 'seq.ops'),
      samples.row('signed RPC, sequential p50', 'ms', 'seq.p50'),
      samples.row('signed RPC, concurrency 32', 'ops/s', 'c32.ops', thirty),
      samples.row('signed RPC, concurrency 32 p50', 'ms', 'c32.p50'),
      samples.row('signed RPC, concurrency 32 p99', 'ms', 'c32.p99'),
      samples.row('ours open (same run), sequential', 'ops/s', 'open.seq.ops'),
      samples.row('ours open (same run), concurrency 32', 'ops/s', 'open.c32.ops'),
      ...ROLES.flatMap((role) => [
        samples.row(`CPU per signed RPC, ${role}, sequential`, 'µs', `seq.cpu.${role}`),
        samples.row(`CPU per open RPC (ours), ${role}, sequential, paced to the signed rate`, 'µs', `open.seq.paced.cpu.${role}`),
        samples.row(`CPU per signed RPC, ${role}, c=32`, 'µs', `c32.cpu.${role}`),
        samples.row(`CPU per open RPC (ours), ${role}, c=32, full speed`, 'µs', `open.c32.cpu.${role}`),
        samples.row(`CPU per open RPC (ours), ${role}, c=32, paced to the signed rate`, 'µs', `open.c32.paced.cpu.${role}`),
        samples.row(`${role} signed CPU / (open CPU + its Ed25519 floor), c=32`, 'ratio', `c32.cpu.${role}.vs-budget`, withinBudget),
        samples.row(`${role} signed CPU / (open CPU + its Ed25519 floor), sequential`, 'ratio', `seq.cpu.${role}.vs-budget`, withinBudget),
      ]),
      samples.row("our sentinel's security stages per forwarded envelope (in process)", 'µs', 'sentinel.stages'),
      {
        label: 'crypto floor per signed RPC (2 Ed25519 sign + 2 verify, node:crypto)',
        unit: 'µs',
        ours: {
          median: 2 * floor.signUs + 2 * floor.verifyUs,
          min: 2 * floor.signUs + 2 * floor.verifyUs,
          max: 2 * floor.signUs + 2 * floor.verifyUs,
        },
      },
      {
        label: 'crypto floor per signed RPC as a throughput (one core)',
        unit: 'ops/s',
        ours: {
          median: 1e6 / (2 * floor.signUs + 2 * floor.verifyUs),
          min: 1e6 / (2 * floor.signUs + 2 * floor.verifyUs),
          max: 1e6 / (2 * floor.signUs + 2 * floor.verifyUs),
        },
      },
    ];
    return {
      scenario: 'ws-rpc-overlay',
      rows,
      notes: [
        `each phase runs ${durationMs} ms after ${RPC_WARMUP}; fresh processes per implementation and round; ours and the reference run FAME_SECURITY_PROFILE=overlay (authorizer noop), the bare relay signs nothing`,
        `Ed25519 with node:crypto on this machine: sign ${floor.signUs.toFixed(1)} µs, verify ${floor.verifyUs.toFixed(1)} µs; per signed RPC the client and the agent each make one sign and one verify, our sentinel none`,
        "budget rows: a role's CPU per signed RPC divided by (its CPU per open RPC in the same run, paced to the signed throughput, + its Ed25519 floor); the target is ≤ 1.5",
        ...notes,
      ],
    };
  },
};
