import type { Page } from 'playwright-core';
import type { Chromium } from './chromium.js';
import type { ChecksApi } from './page/checks.js';
import type { RunningDemo } from './server/demo-server.js';

/** One result row of a page: its state, the text shown, and its JSON value. */
export interface ShownResult {
  readonly state: string;
  readonly text: string;
  readonly value: unknown;
}

/** Fills in and submits the developer login the PKCE sign-in leads to. */
export async function signInThroughDevLogin(page: Page, login: { readonly username: string; readonly password: string }): Promise<void> {
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', login.username);
  await page.fill('input[name=password]', login.password);
  await page.click('button[type=submit]');
}

/**
 * Opens the demo page in `chromium`, signs in through the developer login, waits until no row
 * is pending any more, and returns every row.
 */
export async function openDemo(
  chromium: Chromium,
  demo: RunningDemo,
  timeoutMs = 30_000,
): Promise<{ page: Page; results: Record<string, ShownResult> }> {
  const page = await chromium.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(demo.url);
  await signInThroughDevLogin(page, demo.login);
  await page.waitForFunction(
    () => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>('main .results li'));
      return document.getElementById('login') !== null && rows.length > 0 && rows.every((row) => row.dataset.state !== 'pending');
    },
    undefined,
    { timeout: timeoutMs },
  );
  const results = await page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>('main .results li')).map((row) => [
        row.id,
        {
          state: row.dataset.state ?? '',
          text: row.querySelector('output')?.textContent ?? '',
          value: row.dataset.value === undefined ? undefined : (JSON.parse(row.dataset.value) as unknown),
        },
      ]),
    ),
  );
  return { page, results };
}

/** A new page on the demo's checks page (`checks.html`), ready to be called with {@link callChecks}. */
export async function openChecks(chromium: Chromium, demo: RunningDemo): Promise<Page> {
  const page = await chromium.newPage();
  await page.goto(new URL('checks.html', demo.url).href);
  await page.waitForSelector('#ready[data-state=ok]');
  return page;
}

type Check = keyof ChecksApi;

/** Calls `window.naylence[name](...args)` in the checks page; arguments and result cross as JSON. */
export function callChecks<K extends Check>(
  page: Page,
  name: K,
  ...args: Parameters<ChecksApi[K]>
): Promise<Awaited<ReturnType<ChecksApi[K]>>> {
  return page.evaluate(
    ([check, params]) => (window as unknown as { naylence: Record<string, (...a: unknown[]) => unknown> }).naylence[check]!(...params),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<ChecksApi[K]>>>;
}
