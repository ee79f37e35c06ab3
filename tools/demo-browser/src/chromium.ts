import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a machine without a network: no sandbox (CI runs as root), no
 * GPU, and none of the background connections (updates, sync, QUIC) that would be refused.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium extends AsyncDisposable {
  readonly context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected in `errors`. */
  newPage(): Promise<Page>;
  /** Console errors and page errors of every page, as text. */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile directory (removed on close).
 * @throws Error naming the install command when Chromium is missing
 */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'naylence-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const errors: string[] = [];
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= context
      .close()
      .catch(() => undefined)
      .then(() => rmSync(profile, { recursive: true, force: true })));
  return {
    context,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
      page.on('pageerror', (error) => void errors.push(error.message));
      return page;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `Chromium 156.0.8078.114` (what `chromium --version` prints), or `Chromium (unknown version)`. */
export function chromiumVersion(): string {
  try {
    const out = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /Chromium [\d.]+/.exec(out)?.[0] ?? out.trim();
  } catch {
    return 'Chromium (unknown version)';
  }
}
