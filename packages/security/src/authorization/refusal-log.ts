import type { Logger } from '@naylence/core';

/**
 * A logger for refusals that writes at most one line per `intervalMs` and reports how many it
 * swallowed, so a peer that retries garbage in a loop cannot flood the log.
 */
export function rateLimitedLog(logger: Logger, intervalMs = 1_000): (bindings: Record<string, unknown>, message: string) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (bindings, message) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    logger.info(suppressed > 0 ? { ...bindings, suppressed } : bindings, message);
    suppressed = 0;
  };
}
