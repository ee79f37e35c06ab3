/**
 * Test helpers for the fabric's tests and the workspace's tools. Part of the test-only entry
 * `@naylence/fabric/testing`, which is left out of the published package.
 */
import {
  decodeEnvelope,
  type Connector,
  type Dialer,
  type FameEnvelope,
  type Logger,
  type TokenProvider,
  type WireMessage,
} from '@naylence/core';

export interface LogEntry {
  readonly level: string;
  readonly bindings: Record<string, unknown>;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A Logger that records every line (for asserting that something was logged). */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    readonly bindings: Record<string, unknown> = {},
  ) {}
  #log(level: string, a: unknown, b?: unknown): void {
    const fields = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {};
    const message = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
    this.entries.push({ level, bindings: this.bindings, fields, message });
  }
  trace = (a: unknown, b?: unknown) => this.#log('trace', a, b);
  debug = (a: unknown, b?: unknown) => this.#log('debug', a, b);
  info = (a: unknown, b?: unknown) => this.#log('info', a, b);
  warn = (a: unknown, b?: unknown) => this.#log('warn', a, b);
  error = (a: unknown, b?: unknown) => this.#log('error', a, b);
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }
  find(level: string, pattern: RegExp): LogEntry | undefined {
    return this.entries.find((e) => e.level === level && pattern.test(e.message));
  }
}

export interface TappedMessage {
  readonly direction: 'out' | 'in';
  readonly envelope: FameEnvelope;
}

/** Wraps a dialer so every envelope on the links it opens is recorded (as JSON, decoded). */
export function tapDialer(dialer: Dialer, record: TappedMessage[]): Dialer {
  return wrapDialer(dialer, (connector) => tapConnector(connector, record));
}

function parse(message: WireMessage): FameEnvelope {
  return decodeEnvelope(typeof message === 'string' ? message : new Uint8Array(message));
}

/**
 * A connector whose inbound messages pass through `intercept` first; it calls `deliver` for
 * each message the node should see (or a changed one, or none). Everything else is delegated.
 */
export function interceptInbound(
  connector: Connector,
  intercept: (message: WireMessage, deliver: (message: WireMessage) => void) => void,
): Connector {
  return {
    id: connector.id,
    info: connector.info,
    get state() {
      return connector.state;
    },
    start(handlers) {
      connector.start({
        onMessage: (message) => intercept(message, (m) => handlers.onMessage(m)),
        onClose: (info) => handlers.onClose(info),
      });
    },
    send: (message) => connector.send(message),
    drain: () => connector.drain(),
    close: (code, reason) => connector.close(code, reason),
    ...(connector.attachFields !== undefined && { attachFields: () => connector.attachFields!() }),
  };
}

/** Wraps a dialer so every connector it opens is passed through `wrap`. */
export function wrapDialer(dialer: Dialer, wrap: (connector: Connector) => Connector): Dialer {
  return { transport: dialer.transport, dial: async (request) => wrap(await dialer.dial(request)) };
}

export function tapConnector(connector: Connector, record: TappedMessage[]): Connector {
  const tapped = interceptInbound(connector, (message, deliver) => {
    record.push({ direction: 'in', envelope: parse(message) });
    deliver(message);
  });
  return {
    ...tapped,
    get state() {
      return connector.state;
    },
    send(message) {
      record.push({ direction: 'out', envelope: parse(message) });
      return connector.send(message);
    },
  };
}

/** A token provider that always returns `token`. */
export function staticTokens(token: string): TokenProvider {
  return { getToken: () => Promise.resolve({ value: token }) };
}

/** Resolves when `predicate` holds, polling every few ms; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records envelopes delivered to a physical inbox `name@{node path}` bound on `node`. */
export async function inbox(
  node: { bind(address: string, handler: (env: FameEnvelope) => void): Promise<unknown>; physicalPath: string },
  name = 'inbox',
): Promise<{
  address: string;
  received: FameEnvelope[];
  next(predicate?: (env: FameEnvelope) => boolean, timeoutMs?: number): Promise<FameEnvelope>;
}> {
  const received: FameEnvelope[] = [];
  await node.bind(`${name}@/`, (env) => {
    received.push(env);
  });
  return {
    get address() {
      return `${name}@${node.physicalPath}`;
    },
    received,
    async next(predicate = () => true, timeoutMs = 5_000) {
      let found: FameEnvelope | undefined;
      await until(() => (found = received.find(predicate)) !== undefined, timeoutMs, `an envelope at ${name}`);
      return found!;
    },
  };
}
