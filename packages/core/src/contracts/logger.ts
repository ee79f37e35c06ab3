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
