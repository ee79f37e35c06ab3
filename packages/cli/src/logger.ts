import type { Logger } from '@naylence/core';
import { pino } from 'pino';
import { toLogLevel } from './log-level.js';

/**
 * A pino logger on stderr at `level` (pino's names or the reference's `FAME_LOG_LEVEL` names:
 * `WARNING`, `CRITICAL`, `OFF`, …): what `naylence sentinel` logs with.
 *
 * The libraries (`@naylence/fabric`, the transports) log nowhere unless given a logger: a
 * library must not pick a sink for its application, and pino's Node destination does not exist
 * in browsers. This composition root is where pino is wired; applications pass this (or their
 * own pino instance, or anything implementing core's `Logger`) as the `logger` option.
 * @throws ConfigError for an unknown level name
 */
export function createPinoLogger(level: string = 'warn'): Logger {
  const name = toLogLevel(level);
  // One pino instance (and one stderr destination) per level and process, however many
  // fabrics a process creates.
  let logger = loggers.get(name);
  if (!logger) {
    logger = pino({ level: name, base: null }, pino.destination(2));
    loggers.set(name, logger);
  }
  return logger;
}

const loggers = new Map<string, Logger>();
