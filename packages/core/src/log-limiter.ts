import type { Logger } from './contracts/logger.js';

/**
 * Rate limit for log lines about things a hostile or broken peer can trigger at will (drops,
 * refusals): at most `burst` lines per `periodMs` for each key; the next line after a quiet
 * spell reports how many were suppressed, so nothing is dropped silently and nothing floods.
 */
export class LogLimiter {
  readonly #entries = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(
    readonly burst = 10,
    readonly periodMs = 10_000,
    readonly maxKeys = 1_024,
  ) {}

  /** Undefined: stay quiet. Otherwise log, adding `suppressed` (lines held back since the last one). */
  check(key: string, now = Date.now()): { suppressed: number } | undefined {
    let entry = this.#entries.get(key);
    if (entry === undefined || now - entry.start >= this.periodMs) {
      const suppressed = entry?.suppressed ?? 0;
      if (entry === undefined && this.#entries.size >= this.maxKeys) this.#entries.clear();
      entry = { start: now, count: 0, suppressed: 0 };
      this.#entries.set(key, entry);
      entry.count = 1;
      return { suppressed };
    }
    if (entry.count < this.burst) {
      entry.count += 1;
      return { suppressed: 0 };
    }
    entry.suppressed += 1;
    return undefined;
  }

  /**
   * Logs `message` with `fields` at `level` unless `key` is over its budget; the line carries
   * `suppressed` when lines of that key were held back before it.
   */
  log(logger: Logger, level: 'info' | 'warn' | 'error', key: string, fields: object, message: string, now = Date.now()): void {
    const allowed = this.check(key, now);
    if (allowed === undefined) return;
    logger[level](allowed.suppressed > 0 ? { ...fields, suppressed: allowed.suppressed } : fields, message);
  }
}
