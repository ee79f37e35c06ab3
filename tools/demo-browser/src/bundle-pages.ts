import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** This package's root. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The page scripts: the demo, its iframes, and the page the tests and the bench drive. */
export const PAGE_ENTRIES: Readonly<Record<string, string>> = {
  demo: 'src/page/demo.ts',
  frame: 'src/page/frame.ts',
  checks: 'src/page/checks.ts',
};

/** Packages that must never reach a browser bundle (Node-only, or replaced by the browser's own APIs). */
export const NODE_ONLY_PACKAGES: readonly string[] = ['ws', 'undici', 'jose'];

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Refuses, while bundling, any import of a Node built-in (`node:*` or bare) or of a Node-only
 * package, naming the importer: the build fails instead of shipping a polyfill or a stub.
 */
export const browserOnly: Plugin = {
  name: 'naylence-browser-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const what = NODE_BUILTINS.has(args.path)
        ? 'a Node built-in'
        : NODE_ONLY_PACKAGES.includes(packageOf(args.path))
          ? 'Node-only'
          : undefined;
      if (what === undefined) return undefined;
      const importer = path.relative(PACKAGE_DIR, args.importer) || args.importer;
      return { errors: [{ text: `${args.path} (${what}) imported by ${importer} in a browser bundle` }] };
    });
  },
};

/**
 * Modules of a bundle that a browser must not get: Node built-ins and Node-only packages, by
 * the bundle's metafile (a second check, independent of the plugin).
 */
export function nodeOnlyInputs(metafile: Metafile): string[] {
  const nodeOnly = new RegExp(`(^|/)node_modules/(\\.pnpm/[^/]+/node_modules/)?(${NODE_ONLY_PACKAGES.join('|')})/`);
  const inputs = Object.keys(metafile.inputs).filter((input) => input.startsWith('node:') || nodeOnly.test(input));
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  return [...inputs, ...imports.filter((p) => NODE_BUILTINS.has(p) || NODE_ONLY_PACKAGES.includes(packageOf(p)))];
}

export interface BundleResult {
  readonly metafile: Metafile;
  /** Bytes of each output file, by path relative to `outdir`. */
  readonly sizes: Readonly<Record<string, number>>;
}

/**
 * Bundles the page scripts for browsers (ES2022 modules, shared chunks) into `outdir`, resolving
 * every package through its `exports` map with the `browser` condition and no Node polyfills.
 * The transport compliance suite's `vitest` import is mapped to the page's small stand-in.
 * @throws Error when anything Node-only is imported (see {@link browserOnly}) or ends up in the output
 */
export async function bundlePages(outdir: string, entries: Readonly<Record<string, string>> = PAGE_ENTRIES): Promise<BundleResult> {
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(PACKAGE_DIR, file)])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
    chunkNames: 'chunks/[name]-[hash]',
    alias: { vitest: path.join(PACKAGE_DIR, 'src/page/vitest-shim.ts') },
    plugins: [browserOnly],
  });
  const leaked = nodeOnlyInputs(result.metafile);
  if (leaked.length > 0) throw new Error(`Node-only modules in the browser bundle: ${leaked.join(', ')}`);
  const sizes = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, output]) => [path.relative(outdir, file), output.bytes]),
  );
  return { metafile: result.metafile, sizes };
}
