import { isFameError } from '@naylence/core';
/** Start/stop plumbing shared by the long-running commands (`sentinel`, `oauth2-server`). */

/** Aborts on the first SIGINT or SIGTERM; dispose removes the handlers. */
export function processSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    dispose();
    controller.abort(name);
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose };
}

/** Resolves with the abort reason once `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.resolve(reasonOf(signal));
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(reasonOf(signal)), { once: true }));
}

export function reasonOf(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'stop requested';
}

/** Where the CLI writes and what stops it; the bin passes the process's. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /**
   * Aborting it stops a long-running command (`sentinel`, `oauth2-server`) gracefully. Default:
   * the first SIGINT or SIGTERM (a second one kills the process the default way).
   */
  readonly signal?: AbortSignal;
}

/** A banner: a title line, `  key       value` rows, and how to stop. */
export function formatBanner(title: string, rows: readonly (readonly [string, string])[]): string {
  return `${title}\n${rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}\n`).join('')}Stop with Ctrl+C (SIGINT) or SIGTERM.\n`;
}

/**
 * Runs a long-running server command: start it, print its banner and `READY <url>`, wait for
 * the stop signal, stop it. Exit code 0 when stopped, 1 when it could not start.
 */
export async function serveUntilStopped<S extends { readonly url: string; stop(): Promise<void> }>(
  io: CliIo,
  what: string,
  start: () => Promise<S>,
  banner: (server: S) => string,
): Promise<number> {
  const stopSignal: { signal: AbortSignal; dispose?(): void } = io.signal ? { signal: io.signal } : processSignal();
  let server: S;
  try {
    server = await start();
  } catch (error) {
    stopSignal.dispose?.();
    const code = isFameError(error) ? ` [${error.code}]` : '';
    io.stderr.write(`naylence: the ${what} could not start${code}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    io.stdout.write(banner(server));
    io.stdout.write(`READY ${server.url}\n`);
    io.stdout.write(`stopping (${await aborted(stopSignal.signal)})…\n`);
  } finally {
    stopSignal.dispose?.();
    await server.stop();
  }
  io.stdout.write('stopped\n');
  return 0;
}
