/**
 * The logging contract: the subset of pino's API the runtime calls, so a pino logger (or a
 * child of one) can be passed anywhere a {@link Logger} is expected.
 */
export interface LogFn {
  (message: string): void;
  (bindings: object, message?: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` (e.g. `{ nodeId, linkId }`) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** A logger that drops everything. */
export const NOOP_LOGGER: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => NOOP_LOGGER,
};

/**
 * A child of `parent` with `bindings`, created only when it first logs. Creating a pino child
 * costs microseconds and a few KiB; per-link loggers that never log should cost nothing.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  if (parent === NOOP_LOGGER) return NOOP_LOGGER;
  let real: Logger | undefined;
  const get = (): Logger => (real ??= parent.child(bindings));
  const forward =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    (a: string | object, b?: string) =>
      typeof a === 'string' ? get()[level](a) : get()[level](a, b);
  return {
    trace: forward('trace'),
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    child: (more) => lazyChild(parent, { ...bindings, ...more }),
  };
}
