#!/usr/bin/env node
// Runs every check CI runs, in order, and ends with one summary line `N passed, N failed`.
// Steps other than the test run (build = typecheck, layering, lint) count as one check each;
// the test run counts every test. A failing step does not stop the later ones, so one run
// shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
const results = [];

function step(name, cmd, args) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  const ok = r.status === 0;
  results.push({ name, ok, ms: Date.now() - started });
  return ok;
}

const built = step('build + typecheck', 'pnpm', ['run', 'build']);
step('layering', 'pnpm', ['run', 'layers']);
step('lint + format', 'pnpm', ['run', 'lint']);

let tests = { passed: 0, failed: 0 };
if (built) {
  const out = path.join(root, '.test-results', 'vitest.json');
  rmSync(out, { force: true });
  mkdirSync(path.dirname(out), { recursive: true });
  const ok = step('tests', 'pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    tests = { passed: report.numPassedTests, failed: report.numFailedTests };
    // A suite that failed to load has no tests to count; count it as a failure so it is seen.
    tests.failed += report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  } catch {
    if (!ok) tests.failed += 1;
  }
  if (!ok && tests.failed === 0) tests.failed = 1;
  results.pop();
} else {
  process.stdout.write('\n=== tests: skipped because the build failed\n');
  tests.failed += 1;
}

const stepPassed = results.filter((r) => r.ok).length;
const stepFailed = results.length - stepPassed;
process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)\n`);
process.stdout.write(`tests: ${tests.passed} passed, ${tests.failed} failed\n`);
const passed = stepPassed + tests.passed;
const failed = stepFailed + tests.failed;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
