import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Row, ScenarioResult } from './scenario.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
// install-size needs the npm registry; everything else runs locally
const SCENARIOS = ['codec', 'crypto', 'fabric-forward', 'inproc-rpc', 'ws-rpc', 'http-rpc', 'ws-soak', 'fanin', 'cold-start', 'browser'];

const finite = (s: Row['ours'] | undefined) => s === undefined || [s.median, s.min, s.max].every(Number.isFinite);

describe('bench --smoke', () => {
  it('runs every local scenario and produces rows of finite numbers', { timeout: 150_000 }, async () => {
    expect(existsSync(CLI), 'run `pnpm build` first: the smoke test runs the built CLI').toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));
    try {
      const out = path.join(dir, 'smoke.json');
      await promisify(execFile)(process.execPath, [CLI, '--smoke', '--out', out, ...SCENARIOS], { timeout: 145_000 });
      const { results, failures } = JSON.parse(readFileSync(out, 'utf8')) as { results: ScenarioResult[]; failures: string[] };
      expect(failures).toEqual([]);
      expect(results.map((r) => r.scenario)).toEqual(SCENARIOS);
      for (const result of results) {
        expect(result.rows.length, result.scenario).toBeGreaterThan(0);
        for (const row of result.rows) {
          const what = `${result.scenario}: ${row.label}`;
          expect(finite(row.ours), what).toBe(true);
          expect(finite(row.reference), what).toBe(true);
          expect(finite(row.bare), what).toBe(true);
        }
      }
      // every multi-process scenario measured the reference and the bare baseline too
      for (const name of ['ws-rpc', 'http-rpc', 'ws-soak', 'fanin', 'cold-start']) {
        const rows = results.find((r) => r.scenario === name)!.rows;
        expect(
          rows.some((row) => row.reference !== undefined && row.bare !== undefined),
          name,
        ).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
