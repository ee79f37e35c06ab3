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
