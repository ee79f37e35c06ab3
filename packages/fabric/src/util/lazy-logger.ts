import { NOOP_LOGGER, type Logger } from '@naylence/core';

/**
 * A child of `parent` with `bindings`, created only when it first logs. Creating a pino child
 * costs microseconds and a few KiB; per-link loggers that never log should cost one small
 * object (methods live on the prototype, not in per-instance closures).
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  return parent === NOOP_LOGGER ? NOOP_LOGGER : new LazyChildLogger(parent, bindings);
}

class LazyChildLogger implements Logger {
  #real: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  #get(): Logger {
    return (this.#real ??= this.parent.child(this.bindings));
  }

  #log(level: 'trace' | 'debug' | 'info' | 'warn' | 'error', a: string | object, b: string | undefined): void {
    const logger = this.#get();
    if (typeof a === 'string') logger[level](a);
    else logger[level](a, b);
  }

  trace(a: string | object, b?: string): void {
    this.#log('trace', a, b);
  }
  debug(a: string | object, b?: string): void {
    this.#log('debug', a, b);
  }
  info(a: string | object, b?: string): void {
    this.#log('info', a, b);
  }
  warn(a: string | object, b?: string): void {
    this.#log('warn', a, b);
  }
  error(a: string | object, b?: string): void {
    this.#log('error', a, b);
  }
  child(more: Record<string, unknown>): Logger {
    return new LazyChildLogger(this.parent, { ...this.bindings, ...more });
  }
}
