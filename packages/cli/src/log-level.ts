import { ConfigError } from '@naylence/core';

/** pino's level names, `silent` included. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

const LEVELS: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  // The reference's names (FAME_LOG_LEVEL), then pino's own.
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warning', 'warn'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['critical', 'fatal'],
  ['fatal', 'fatal'],
  ['off', 'silent'],
  ['silent', 'silent'],
]);

/**
 * The pino level for a log level name: the reference's `FAME_LOG_LEVEL` names (`TRACE`,
 * `DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`, `OFF`) or pino's (`trace` … `fatal`,
 * `silent`), in any case.
 * @throws ConfigError (`INVALID_CONFIG`) for any other name
 */
export function toLogLevel(name: string): LogLevel {
  const level = LEVELS.get(name.trim().toLowerCase());
  if (level === undefined) {
    throw new ConfigError(
      `unknown log level ${JSON.stringify(name)} (use TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL, OFF, or a pino level name)`,
    );
  }
  return level;
}
