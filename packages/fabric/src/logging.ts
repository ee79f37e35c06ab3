import type { Logger } from '@naylence/core';
import { pino } from 'pino';

/**
 * The logger a node uses when none is given: pino at `warn` on stderr, so dropped envelopes
 * and lost links are visible without configuration. Pass your own pino logger (or anything
 * implementing core's `Logger`) to change level and destination.
 */
export function createDefaultLogger(level: string = 'warn'): Logger {
  // One pino instance (and one stderr destination) per level and process, however many
  // fabrics a process creates.
  let logger = defaults.get(level);
  if (!logger) {
    logger = pino({ level, base: null }, pino.destination(2));
    defaults.set(level, logger);
  }
  return logger;
}

const defaults = new Map<string, Logger>();
