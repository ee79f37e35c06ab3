#!/usr/bin/env node
// Runs after `tsc -b` in each publishable package: bundles dist/index.js and the modules it
// imports into dist/index.bundle.js, the file the package exports at run time.
//
// Why: loading many small ESM files dominates start-up (TypeBox alone is ~200 files and ~70 ms
// to import). Other @naylence packages stay external, so each class (FameError…) exists once
// per process; npm dependencies stay external too, except those listed in the package's
// `naylence.bundle` field (core inlines @sinclair/typebox). Types and source maps of the
// individual modules stay as tsc wrote them.
//
// A package with a `naylence.browser` map (OpenTelemetry-style `platform/` folders) also gets
// dist/index.browser.bundle.js, the file of its `browser` export condition: its browser entry
// (`naylence.browserEntry`, default the same dist/index.js) with each mapped module (paths
// relative to dist/) replaced by its browser twin. That bundle may not import Node built-ins,
// and with `naylence.browserDependencies` it may import no package outside that list: the build
// fails, naming the importing module, if it does (e.g. `jose` reached from the browser entry).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const inline = new Set(pkg.naylence?.bundle ?? []);
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) => !inline.has(name));

const common = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [path.join(dir, 'dist/index.js')],
  outfile: path.join(dir, 'dist/index.bundle.js'),
  external: [...external, 'node:*'],
});

const browserMap = Object.entries(pkg.naylence?.browser ?? {}).map(([from, to]) => [
  path.join(dir, 'dist', from),
  path.join(dir, 'dist', to),
]);
if (browserMap.length > 0) {
  const redirects = new Map(browserMap);
  const allowed = pkg.naylence?.browserDependencies;
  const packageOf = (specifier) =>
    specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
  await build({
    ...common,
    entryPoints: [path.join(dir, 'dist', pkg.naylence?.browserEntry ?? './index.js')],
    outfile: path.join(dir, 'dist/index.browser.bundle.js'),
    external,
    plugins: [
      {
        name: 'naylence-browser-platform',
        setup(b) {
          b.onResolve({ filter: /^\./ }, (args) => {
            const target = redirects.get(path.resolve(args.resolveDir, args.path));
            return target ? { path: target } : undefined;
          });
          b.onResolve({ filter: /^node:/ }, (args) => ({
            errors: [{ text: `${args.path} imported by ${path.relative(dir, args.importer)} in the browser bundle` }],
          }));
          if (allowed) {
            b.onResolve({ filter: /^[^./]/ }, (args) =>
              allowed.includes(packageOf(args.path))
                ? undefined
                : {
                    errors: [
                      {
                        text: `${args.path} imported by ${path.relative(dir, args.importer)} in the browser bundle (not in naylence.browserDependencies)`,
                      },
                    ],
                  },
            );
          }
        },
      },
    ],
  });
}
