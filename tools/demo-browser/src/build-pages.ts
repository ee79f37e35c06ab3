#!/usr/bin/env node
/**
 * The build step of the demo: bundles the page scripts (the browser bundle check: the build
 * fails if a Node built-in, `ws`, `undici` or `jose` is reachable from a page) and copies the
 * static files, into `dist/www`.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundlePages, PACKAGE_DIR } from './bundle-pages.js';

const www = path.join(PACKAGE_DIR, 'dist/www');
rmSync(www, { recursive: true, force: true });
mkdirSync(www, { recursive: true });
cpSync(path.join(PACKAGE_DIR, 'static'), www, { recursive: true });
try {
  const { sizes } = await bundlePages(path.join(www, 'assets'));
  const scripts = Object.entries(sizes).filter(([file]) => file.endsWith('.js'));
  const total = scripts.reduce((sum, [, bytes]) => sum + bytes, 0);
  console.log(`demo-browser: ${scripts.length} scripts, ${(total / 1024).toFixed(0)} KiB, no Node-only module`);
} catch (error) {
  console.error(`demo-browser: browser bundle check failed:\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
