import type { Logger } from '@naylence/core';

/**
 * Logs a refused request at `warn` at most once per `intervalMs` per kind, with how many were
 * left out meanwhile: hostile peers must leave a trace without flooding the log.
 */
export class ThrottledLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: Logger, intervalMs = 1_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  warn(kind: string, bindings: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const entry = this.#last.get(kind);
    if (entry !== undefined && now - entry.at < this.#intervalMs) {
      entry.suppressed++;
      return;
    }
    this.#last.set(kind, { at: now, suppressed: 0 });
    this.#logger.warn(entry?.suppressed ? { ...bindings, suppressed: entry.suppressed } : bindings, message);
  }
}
