import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR } from '../proc.js';
import type { Row, Scenario } from '../scenario.js';

const run = promisify(execFile);
const REPO = path.resolve(BENCH_DIR, '../..');
const OURS = ['core', 'fabric', 'transport-ws'];
const REFERENCE = '@naylence/runtime@0.4.12';

/** Bytes of all files below `dir` and the number of packages in its node_modules trees. */
function measureTree(dir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (d: string, inNodeModules: boolean) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules') {
          walk(p, true);
          continue;
        }
        const isScope = inNodeModules && entry.name.startsWith('@');
        if (inNodeModules && !isScope && existsSync(path.join(p, 'package.json'))) packages++;
        walk(p, isScope);
      } else if (entry.isFile()) bytes += statSync(p).size;
    }
  };
  walk(path.join(dir, 'node_modules'), true);
  return { bytes, packages };
}

async function npmInstall(dir: string, dependencies: Record<string, string>): Promise<{ bytes: number; packages: number }> {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-install', private: true, dependencies }));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: dir,
    timeout: 600_000,
  });
  return measureTree(dir);
}

function pnpmBin(): string {
  const local = path.join(REPO, '.tools/node_modules/.bin/pnpm');
  return existsSync(local) ? local : 'pnpm';
}

/**
 * What a user downloads: our three packages packed as they would be published (`pnpm pack`
 * rewrites `workspace:` ranges and applies publishConfig) and installed with npm, against the
 * reference runtime installed from the registry. Needs the network; sizes do not vary by round.
 */
export const installSizeScenario: Scenario = {
  name: 'install-size',
  description: 'installed bytes and packages: @naylence/core + fabric + transport-ws (packed) vs @naylence/runtime 0.4.12 (registry)',
  network: true,
  async run() {
    const root = mkdtempSync(path.join(tmpdir(), 'naylence-install-'));
    try {
      const packs = path.join(root, 'packs');
      const tarballs: Record<string, string> = {};
      for (const name of OURS) {
        const { stdout } = await run(pnpmBin(), ['pack', '--pack-destination', packs], { cwd: path.join(REPO, 'packages', name) });
        const file = stdout.trim().split('\n').at(-1)!.trim();
        tarballs[`@naylence/${name}`] = `file:${path.isAbsolute(file) ? file : path.join(packs, path.basename(file))}`;
      }
      const oursDir = path.join(root, 'ours');
      const refDir = path.join(root, 'reference');
      mkdirSync(oursDir);
      mkdirSync(refDir);
      const ours = await npmInstall(oursDir, tarballs);
      const reference = await npmInstall(refDir, { '@naylence/runtime': REFERENCE.split('@').at(-1)! });
      const one = (v: number) => ({ median: v, min: v, max: v });
      const rows: Row[] = [
        {
          label: 'installed size',
          unit: 'MB',
          ours: one(ours.bytes / 1e6),
          reference: one(reference.bytes / 1e6),
          target: { vs: 'reference', op: '<=', value: 0.1 },
        },
        { label: 'installed packages', unit: 'packages', ours: one(ours.packages), reference: one(reference.packages) },
      ];
      const tgz = Object.values(tarballs).reduce((sum, f) => sum + statSync(f.slice('file:'.length)).size, 0);
      return {
        scenario: 'install-size',
        rows,
        notes: [
          `npm install --omit=dev into empty folders; ours = ${OURS.map((n) => `@naylence/${n}`).join(' + ')} (tarballs ${(tgz / 1e3).toFixed(0)} kB), reference = ${REFERENCE}; measured once (sizes do not vary by round)`,
        ],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
