import type { IncomingConnection, ListenerHost, LogFn, Logger } from '@naylence/core';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly bindings: Readonly<Record<string, unknown>>;
}

/** A Logger that records every line (with the bindings of its children). */
export function captureLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): Logger & { readonly lines: LogLine[] } {
  const fn =
    (level: string): LogFn =>
    (first: object | string, second?: string) => {
      const message = typeof first === 'string' ? first : (second ?? '');
      const extra = typeof first === 'string' ? {} : first;
      lines.push({ level, message, bindings: { ...bindings, ...extra } });
    };
  return {
    lines,
    trace: fn('trace'),
    debug: fn('debug'),
    info: fn('info'),
    warn: fn('warn'),
    error: fn('error'),
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
  };
}

/**
 * A `ListenerHost` for a transport's listener tests (no fabric): records the connections it
 * accepts and lets a test await them; its logger records every line.
 */
export class TestHost implements ListenerHost {
  readonly systemId: string;
  readonly logger = captureLogger();
  readonly links: IncomingConnection[] = [];
  ready = true;
  onAccept: ((link: IncomingConnection) => void) | undefined;
  #waiters: ((link: IncomingConnection) => void)[] = [];

  constructor(systemId = 'sentinel') {
    this.systemId = systemId;
  }

  isReady(): boolean {
    return this.ready;
  }

  accept(link: IncomingConnection): void {
    this.links.push(link);
    this.onAccept?.(link);
    this.#waiters.shift()?.(link);
  }

  /** The next link accepted (or the `index`-th, if already accepted). */
  nextLink(): Promise<IncomingConnection> {
    const index = this.links.length + this.#waiters.length;
    return new Promise((resolve) => this.#waiters.push(resolve)).then(() => this.links[index]!);
  }
}
