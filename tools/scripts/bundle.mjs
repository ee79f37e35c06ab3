#!/usr/bin/env node
// Runs after `tsc -b` in each publishable package: bundles dist/index.js and the modules it
// imports into dist/index.bundle.js, the file the package exports at run time.
//
// Why: loading many small ESM files dominates start-up (TypeBox alone is ~200 files and ~70 ms
// to import). Other @naylence packages stay external, so each class (FameError…) exists once
// per process; npm dependencies stay external too, except those listed in the package's
// `naylence.bundle` field (core inlines @sinclair/typebox). Types and source maps of the
// individual modules stay as tsc wrote them.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const inline = new Set(pkg.naylence?.bundle ?? []);
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) => !inline.has(name));

await build({
  entryPoints: [path.join(dir, 'dist/index.js')],
  outfile: path.join(dir, 'dist/index.bundle.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: [...external, 'node:*'],
  sourcemap: true,
  logLevel: 'warning',
});
