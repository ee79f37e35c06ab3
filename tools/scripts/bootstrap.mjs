#!/usr/bin/env node
// Entry point of the README's two commands. A fresh machine has Node and npm only, so this
// script provides pnpm itself (the version pinned in package.json#packageManager), installed
// into ./.tools rather than globally, then runs the requested job with it:
//   quickstart: install, build, run the demo
//   check:      install, then lint, layering, build, typecheck and all tests (tools/scripts/check.mjs)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const job = process.argv[2];
if (job !== 'quickstart' && job !== 'check') {
  process.stderr.write('usage: bootstrap.mjs <quickstart|check>\n');
  process.exit(2);
}

const wanted = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const localBin = path.join(root, '.tools', 'node_modules', '.bin');
const env = { ...process.env, PATH: `${localBin}${path.delimiter}${process.env.PATH ?? ''}`, TURBO_TELEMETRY_DISABLED: '1' };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { cwd: root, env, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

let have = pnpmVersion();
if (have !== wanted) {
  process.stdout.write(`bootstrap: installing pnpm ${wanted} into .tools/ (found ${have ?? 'none'})\n`);
  const status = run('npm', [
    'install',
    '--prefix',
    '.tools',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `pnpm@${wanted}`,
  ]);
  if (status !== 0) process.exit(status);
  have = pnpmVersion();
  if (have !== wanted) {
    process.stderr.write(`bootstrap: pnpm ${wanted} is not runnable after install (got ${have ?? 'nothing'})\n`);
    process.exit(1);
  }
}

const installArgs = ['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])];
let status = run('pnpm', installArgs);
if (status !== 0) process.exit(status);

if (job === 'quickstart') {
  status = run('pnpm', ['build']);
  if (status === 0) status = run('pnpm', ['demo']);
  process.exit(status);
}
process.exit(run(process.execPath, ['tools/scripts/check.mjs']));
