/**
 * Encrypted RPC over WebSocket (issue 14): sentinel, agent and client as three processes of ours
 * in the example add-on's `encrypted-overlay` profile (loaded from `FAME_PLUGINS`), with
 * `FAME_DEFAULT_ENCRYPTION_LEVEL=channel` and `=sealed`, against signed plaintext RPC
 * (`overlay`) in the same run, plus the crypto floor measured in this process with node:crypto.
 *
 * Targets: channel ≥ 0.8 × signed plaintext throughput; sealed cost per RPC (1 / throughput)
 * within 1.5 × (signed plaintext cost per RPC + the seal/open floor of one sealed RPC: the
 * client seals the request and opens the reply, the agent opens the request and seals the reply).
 */
import { defaultCryptoProvider } from '@naylence/security';
import { consume, measureRate, summarize } from '../measure.js';
import { withRoles } from '../proc.js';
import { Samples } from '../samples.js';
import type { Row, Scenario, Target } from '../scenario.js';
import { measureRpcPhases, RPC_WARMUP, startTopology } from './ws-rpc.js';

const OVERLAY = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };
const encrypted = (level: string) => ({
  FAME_PLUGINS: '@naylence-tools/security-addon-example',
  FAME_SECURITY_PROFILE: 'encrypted-overlay',
  FAME_AUTHORIZATION_PROFILE: 'noop',
  FAME_DEFAULT_ENCRYPTION_LEVEL: level,
});
const RUNS = [
  ['signed', OVERLAY],
  ['channel', encrypted('channel')],
  ['sealed', encrypted('sealed')],
] as const;
const PHASES = ['seq', 'c32'] as const;

/** µs per sealed-envelope seal and open (X25519 + HKDF-SHA256 + ChaCha20-Poly1305, node:crypto), and per channel seal and open. */
function cryptoFloor(durationMs: number): { sealUs: number; openUs: number; channelSealUs: number; channelOpenUs: number } {
  const p = defaultCryptoProvider();
  const recipient = p.x25519.generateKeyPair();
  const info = new TextEncoder().encode('naylence-sealed-envelope');
  const message = new TextEncoder().encode(
    JSON.stringify({ original_codec: 'json', payload: { jsonrpc: '2.0', id: 'x'.repeat(16), method: 'add', params: { x: 1, y: 2 } } }),
  );
  const nonce = p.randomBytes(12);
  let sealed: Uint8Array = new Uint8Array();
  let ephemeral = p.x25519.generateKeyPair();
  const seal = () => {
    ephemeral = p.x25519.generateKeyPair();
    const key = p.hkdfSha256(p.x25519.sharedSecret(ephemeral.privateKey, recipient.publicKey), undefined, info, 32);
    sealed = p.chacha20poly1305.seal(key, nonce, message);
  };
  const open = () => {
    const key = p.hkdfSha256(p.x25519.sharedSecret(recipient.privateKey, ephemeral.publicKey), undefined, info, 32);
    return p.chacha20poly1305.open(key, nonce, sealed);
  };
  const channelKey = p.randomBytes(32);
  const aad = new TextEncoder().encode('auto-math@fame.fabric-0123456789abcdef');
  const channelSealed = p.chacha20poly1305.seal(channelKey, nonce, message, aad);
  const rate = (fn: () => unknown) => measureRate(() => consume(fn()), durationMs, 50).opsPerSec;
  return {
    sealUs: 1e6 / rate(seal),
    openUs: 1e6 / rate(open),
    channelSealUs: 1e6 / rate(() => p.chacha20poly1305.seal(channelKey, nonce, message, aad)),
    channelOpenUs: 1e6 / rate(() => p.chacha20poly1305.open(channelKey, nonce, channelSealed, aad)),
  };
}

export const wsRpcEncryptedScenario: Scenario = {
  name: 'ws-rpc-encrypted',
  description:
    'channel- and sealed-encrypted RPC over WebSocket (ours, encrypted-overlay) vs signed plaintext RPC and the node:crypto seal/open floor',
  async run({ rounds, smoke }) {
    const durationMs = smoke ? 300 : 3_000;
    const timeoutMs = smoke ? 2_000 : 10_000;
    const samples = new Samples();
    const notes: string[] = [];
    const floors: ReturnType<typeof cryptoFloor>[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [name, env] of r % 2 === 0 ? RUNS : [...RUNS].reverse()) {
        await withRoles(async (start) => {
          const roles = await startTopology('ours', `${name}-${r}`, start, undefined, env);
          const phases = PHASES.map((phase) => [`${name}.${phase}`, phase === 'seq' ? 1 : 32] as const);
          await measureRpcPhases(samples, 'ours', roles, phases, { durationMs, timeoutMs, label: `${name} round ${r + 1}` }, notes);
        });
      }
      const floor = cryptoFloor(smoke ? 50 : 700);
      floors.push(floor);
      for (const phase of PHASES) {
        const ops = (name: string) => samples.values('ours', `${name}.${phase}.ops`).at(-1);
        const [signed, channel, sealed] = [ops('signed'), ops('channel'), ops('sealed')];
        if (signed === undefined || channel === undefined || sealed === undefined) continue;
        const sealedFloorUs = 2 * floor.sealUs + 2 * floor.openUs;
        samples.add('ours', `${phase}.channel-vs-signed`, channel / signed);
        samples.add('ours', `${phase}.sealed-vs-budget`, 1e6 / sealed / (1e6 / signed + sealedFloorUs));
        samples.add('ours', `${phase}.sealed-vs-signed`, sealed / signed);
      }
    }
    const floor = {
      sealUs: summarize(floors.map((f) => f.sealUs)).median,
      openUs: summarize(floors.map((f) => f.openUs)).median,
      channelSealUs: summarize(floors.map((f) => f.channelSealUs)).median,
      channelOpenUs: summarize(floors.map((f) => f.channelOpenUs)).median,
    };
    const atLeast08: Target = { vs: 'self', op: '>=', value: 0.8 };
    const within15: Target = { vs: 'self', op: '<=', value: 1.5 };
    const constant = (label: string, unit: string, value: number): Row => ({
      label,
      unit,
      ours: { median: value, min: value, max: value },
    });
    const rows: Row[] = [
      ...PHASES.flatMap((phase) => {
        const label = phase === 'seq' ? 'sequential' : 'concurrency 32';
        return [
          samples.row(`signed plaintext RPC (overlay), ${label}`, 'ops/s', `signed.${phase}.ops`),
          samples.row(`channel-encrypted RPC, ${label}`, 'ops/s', `channel.${phase}.ops`),
          samples.row(`sealed RPC, ${label}`, 'ops/s', `sealed.${phase}.ops`),
          samples.row(`channel / signed plaintext throughput, ${label}`, 'ratio', `${phase}.channel-vs-signed`, atLeast08),
          samples.row(`sealed / signed plaintext throughput, ${label}`, 'ratio', `${phase}.sealed-vs-signed`),
          samples.row(`sealed cost per RPC / (signed cost + seal/open floor), ${label}`, 'ratio', `${phase}.sealed-vs-budget`, within15),
          samples.row(`channel RPC p50, ${label}`, 'ms', `channel.${phase}.p50`),
          samples.row(`sealed RPC p50, ${label}`, 'ms', `sealed.${phase}.p50`),
          ...(['sentinel', 'agent', 'client'] as const).flatMap((role) => [
            samples.row(`CPU per RPC, ${role}, signed, ${label}`, 'µs', `signed.${phase}.cpu.${role}`),
            samples.row(`CPU per RPC, ${role}, channel, ${label}`, 'µs', `channel.${phase}.cpu.${role}`),
            samples.row(`CPU per RPC, ${role}, sealed, ${label}`, 'µs', `sealed.${phase}.cpu.${role}`),
          ]),
        ];
      }),
      constant('crypto floor: sealed seal (X25519 keygen + DH + HKDF + ChaCha20-Poly1305)', 'µs', floor.sealUs),
      constant('crypto floor: sealed open (DH + HKDF + ChaCha20-Poly1305)', 'µs', floor.openUs),
      constant('crypto floor per sealed RPC (2 seals + 2 opens)', 'µs', 2 * floor.sealUs + 2 * floor.openUs),
      constant('crypto floor per sealed RPC as a throughput (one core)', 'ops/s', 1e6 / (2 * floor.sealUs + 2 * floor.openUs)),
      constant(
        'crypto floor per channel RPC (2 ChaCha20-Poly1305 seals + 2 opens)',
        'µs',
        2 * floor.channelSealUs + 2 * floor.channelOpenUs,
      ),
    ];
    return {
      scenario: 'ws-rpc-encrypted',
      rows,
      notes: [
        `each phase runs ${durationMs} ms after ${RPC_WARMUP}; fresh processes per run and round (signed, channel, sealed; order alternates per round); all three roles of ours, channel and sealed in encrypted-overlay from FAME_PLUGINS=@naylence-tools/security-addon-example`,
        'every encrypted RPC is also signed (sign first, then encrypt); the sentinel forwards ciphertext; the sealed budget row divides the sealed cost per RPC (1e6 / ops) by the signed cost per RPC plus the per-RPC seal/open floor; the target is ≤ 1.5',
        ...notes,
      ],
    };
  },
};
