/**
 * The browser bundle check: every package a browser app needs loads through its `exports` map
 * (the `browser` condition where a platform differs) and bundles for browsers without Node
 * polyfills, and neither a Node built-in nor `ws`, `undici` or `jose` can reach a page. The
 * demo's own build runs the same check (`pnpm build` fails otherwise); this test also shows the
 * check bites.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundlePages, PACKAGE_DIR } from './bundle-pages.js';

/**
 * What a browser app imports. `@naylence/admission` is on the list: its clients, profile table
 * (`direct-inpage`, `welcome-pkce`, …) and `AdmissionDialer` run in pages too.
 */
const BROWSER_PACKAGES = [
  '@naylence/core',
  '@naylence/fabric',
  '@naylence/transport-ws',
  '@naylence/transport-inpage',
  '@naylence/security',
  '@naylence/admission',
];

/** Bundles one generated entry (written inside this package, so its dependencies resolve). */
async function bundleEntry(source: string) {
  const dir = mkdtempSync(path.join(PACKAGE_DIR, '.bundle-test-'));
  try {
    writeFileSync(path.join(dir, 'entry.ts'), source);
    return await bundlePages(path.join(dir, 'out'), { entry: path.relative(PACKAGE_DIR, path.join(dir, 'entry.ts')) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('browser bundles', () => {
  it('every browser package bundles through its exports map, browser builds where a platform differs', async () => {
    const source = BROWSER_PACKAGES.map((name, i) => `import * as p${i} from '${name}';\nconsole.log(p${i});`).join('\n');
    const { metafile } = await bundleEntry(source);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.endsWith('packages/security/dist/index.browser.bundle.js'))).toBe(true);
    expect(inputs.some((input) => input.endsWith('packages/transport-ws/dist/index.browser.bundle.js'))).toBe(true);
    expect(inputs.filter((input) => /packages\/(security|transport-ws)\/dist\/index\.bundle\.js$/.test(input))).toEqual([]);
    expect(inputs.filter((input) => /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(ws|undici|jose)\//.test(input))).toEqual([]);
  });

  it.each([
    [
      'the Node-only HTTP transport',
      `import { HttpDialer } from '@naylence/transport-http';\nconsole.log(HttpDialer);`,
      /undici \(Node-only\)|node:http/,
    ],
    ['ws', `import { WebSocket } from 'ws';\nconsole.log(WebSocket);`, /ws \(Node-only\) imported by/],
    ['a Node built-in', `import { createHash } from 'node:crypto';\nconsole.log(createHash);`, /node:crypto \(a Node built-in\)/],
  ])('refuses %s, naming it', async (_what, source, message) => {
    await expect(bundleEntry(source)).rejects.toThrow(message);
  });

  it('the built demo pages import nothing Node-only', () => {
    const assets = path.join(PACKAGE_DIR, 'dist/www/assets');
    expect(existsSync(assets), 'run `pnpm build` first').toBe(true);
    const scripts = readdirSync(assets, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(3);
    for (const file of scripts) {
      const text = readFileSync(path.join(assets, file), 'utf8');
      const specifiers = [...text.matchAll(/(?:from\s*|import\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(
        specifiers.filter((s) => !s.startsWith('./') && !s.startsWith('../')),
        file,
      ).toEqual([]);
    }
  });
});
