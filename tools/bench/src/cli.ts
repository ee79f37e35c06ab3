#!/usr/bin/env node
/**
 * `pnpm bench [scenario…] [--rounds N] [--smoke] [--profile] [--out FILE]`: runs benchmark scenarios, prints one table
 * (ours, the reference and a bare baseline side by side) and writes all figures to
 * `tools/bench/results/<timestamp>.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR } from './proc.js';
import { formatResults } from './report.js';
import { ratios, type Scenario, type ScenarioResult } from './scenario.js';
import { codecScenario } from './scenarios/codec.js';
import { cryptoScenario } from './scenarios/crypto.js';
import { coldStartScenario } from './scenarios/cold-start.js';
import { fabricForwardScenario } from './scenarios/fabric-forward.js';
import { faninScenario } from './scenarios/fanin.js';
import { inprocRpcScenario } from './scenarios/inproc-rpc.js';
import { installSizeScenario } from './scenarios/install-size.js';
import { logVolumeScenario } from './scenarios/log-volume.js';
import { slowConsumerScenario } from './scenarios/slow-consumer.js';
import { httpRpcScenario } from './scenarios/http-rpc.js';
import { wsRpcScenario } from './scenarios/ws-rpc.js';
import { wsRpcOverlayScenario } from './scenarios/ws-rpc-overlay.js';
import { wsRpcEncryptedScenario } from './scenarios/ws-rpc-encrypted.js';
import { gatedScenario } from './scenarios/gated.js';
import { wsSoakScenario } from './scenarios/ws-soak.js';
import { browserScenario } from './scenarios/browser.js';

export const SCENARIOS: readonly Scenario[] = [
  codecScenario,
  cryptoScenario,
  fabricForwardScenario,
  inprocRpcScenario,
  wsRpcScenario,
  wsRpcOverlayScenario,
  wsRpcEncryptedScenario,
  gatedScenario,
  httpRpcScenario,
  wsSoakScenario,
  faninScenario,
  slowConsumerScenario,
  coldStartScenario,
  browserScenario,
  installSizeScenario,
  logVolumeScenario,
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    smoke: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.description}`);
  process.exit(0);
}

const selected = positionals.length === 0 ? SCENARIOS : positionals.map((name) => SCENARIOS.find((s) => s.name === name) ?? name);
const unknown = selected.filter((s): s is string => typeof s === 'string');
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const rounds = values.smoke ? 1 : Math.max(1, Number(values.rounds));
const date = new Date().toISOString();
if (values.profile) {
  process.env.BENCH_PROFILE_DIR = path.join(BENCH_DIR, 'results', `profiles-${date.replace(/[:.]/g, '-')}`);
  console.log(`CPU profiles of the role processes: ${process.env.BENCH_PROFILE_DIR}`);
}
const results: ScenarioResult[] = [];
const failures: string[] = [];
console.log(
  `# naylence bench — ${date} — node ${process.version} — ${rounds} round(s)${values.smoke ? ' — SMOKE (figures meaningless)' : ''}`,
);
for (const scenario of selected as Scenario[]) {
  const t0 = performance.now();
  process.stderr.write(`${scenario.name}… `);
  try {
    results.push(await scenario.run({ rounds, smoke: values.smoke }));
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    // one broken scenario must not cost the others' figures
    process.stderr.write('failed\n');
    failures.push(`${scenario.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
console.log(`\n${formatResults(results)}`);
for (const failure of failures) console.error(`\nFAILED ${failure}`);

const file = values.out ?? path.join(BENCH_DIR, 'results', `${date.replace(/[:.]/g, '-')}${values.smoke ? '-smoke' : ''}.json`);
mkdirSync(path.dirname(file), { recursive: true });
const withRatios = results.map((r) => ({ ...r, rows: r.rows.map((row) => ({ ...row, ...ratios(row) })) }));
writeFileSync(file, JSON.stringify({ date, node: process.version, smoke: values.smoke, rounds, results: withRatios, failures }, null, 2));
console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
process.exitCode = failures.length > 0 ? 1 : 0;
