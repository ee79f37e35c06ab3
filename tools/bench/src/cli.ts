#!/usr/bin/env node
/**
 * `pnpm bench [scenario…] [--rounds N] [--smoke]`: runs benchmark scenarios, prints a table per
 * scenario and writes all figures to `tools/bench/results/<timestamp>.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResult } from './report.js';
import type { Scenario, ScenarioResult } from './scenario.js';
import { codecScenario } from './scenarios/codec.js';
import { fabricForwardScenario } from './scenarios/fabric-forward.js';

const SCENARIOS: readonly Scenario[] = [codecScenario, fabricForwardScenario];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    smoke: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
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
const results: ScenarioResult[] = [];
console.log(
  `# naylence bench — ${new Date().toISOString()} — node ${process.version}${values.smoke ? ' — SMOKE (figures meaningless)' : ''}`,
);
for (const scenario of selected as Scenario[]) {
  const result = await scenario.run({ rounds, smoke: values.smoke });
  results.push(result);
  console.log(`\n${formatResult(result)}`);
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}${values.smoke ? '-smoke' : ''}.json`);
writeFileSync(
  file,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, smoke: values.smoke, rounds, results }, null, 2),
);
console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
