#!/usr/bin/env node
/**
 * `pnpm demo:screenshot [--out FILE]`: runs the browser demo in headless Chromium, checks that
 * every row succeeded, and saves a screenshot of the page (default `docs/images/demo-browser.png`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from './chromium.js';
import { openDemo } from './drive.js';
import { PACKAGE_DIR } from './bundle-pages.js';
import { startDemo } from './server/demo-server.js';

const { values } = parseArgs({
  options: { out: { type: 'string', default: path.resolve(PACKAGE_DIR, '../../docs/images/demo-browser.png') } },
});
const out = path.resolve(values.out);

await using demo = await startDemo();
await using chromium = await launchChromium();
const { page, results } = await openDemo(chromium, demo);
const failed = Object.entries(results).filter(([, row]) => row.state !== 'ok');
if (failed.length > 0) {
  console.error(`demo rows failed: ${failed.map(([id, row]) => `${id}: ${row.text}`).join('; ')}`);
  process.exitCode = 1;
} else {
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: ${path.relative(process.cwd(), out)}`);
}
