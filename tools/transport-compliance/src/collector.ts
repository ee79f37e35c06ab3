import { scheduleMacrotask, type CloseInfo, type Connector, type ConnectorHandlers, type WireMessage } from '@naylence/core';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a wire message. Receivers may hand the fabric either form, so the suite compares
 * text: binary messages in the suite always carry UTF-8 (as FAME envelopes do).
 */
export function messageText(message: WireMessage): string {
  return typeof message === 'string' ? message : decoder.decode(message);
}

/**
 * Resolves after `turns` rounds of the event loop (I/O included; `setImmediate` on Node, a
 * macrotask in browsers, where the suite also runs); never a timing threshold.
 */
export async function eventLoopTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => scheduleMacrotask(resolve));
}

/** One event a connector reported, in order. */
export type ConnectorEvent = { readonly kind: 'message'; readonly text: string } | { readonly kind: 'close'; readonly info: CloseInfo };

interface CountWaiter {
  readonly count: number;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Handlers that record what a connector delivers and let a test await a number of messages or
 * the close. Waiting for more messages than arrive before the close fails fast instead of
 * hanging until the test timeout.
 */
export class Collector implements ConnectorHandlers {
  readonly messages: string[] = [];
  readonly closes: CloseInfo[] = [];
  readonly events: ConnectorEvent[] = [];
  #countWaiters: CountWaiter[] = [];
  #closeWaiters: ((info: CloseInfo) => void)[] = [];
  readonly #label: string;
  readonly #onEach: ((text: string) => void) | undefined;

  constructor(label: string, onEach?: (text: string) => void) {
    this.#label = label;
    this.#onEach = onEach;
  }

  /** Starts `connector` with this collector's handlers and returns the collector. */
  static start(connector: Connector, label: string, onEach?: (text: string) => void): Collector {
    const collector = new Collector(label, onEach);
    connector.start(collector);
    return collector;
  }

  onMessage = (message: WireMessage): void => {
    const text = messageText(message);
    this.messages.push(text);
    this.events.push({ kind: 'message', text });
    this.#onEach?.(text);
    if (this.#countWaiters.length === 0) return;
    const ready = this.#countWaiters.filter((w) => this.messages.length >= w.count);
    this.#countWaiters = this.#countWaiters.filter((w) => this.messages.length < w.count);
    for (const waiter of ready) waiter.resolve();
  };

  onClose = (info: CloseInfo): void => {
    this.closes.push(info);
    this.events.push({ kind: 'close', info });
    const waiters = this.#closeWaiters;
    this.#closeWaiters = [];
    for (const resolve of waiters) resolve(info);
    const stranded = this.#countWaiters;
    this.#countWaiters = [];
    for (const waiter of stranded) {
      waiter.reject(
        new Error(`${this.#label}: closed (${info.code} ${info.reason}) after ${this.messages.length} of ${waiter.count} messages`),
      );
    }
  };

  /** Resolves once `count` messages have arrived in total. */
  untilCount(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    const closed = this.closes[0];
    if (closed !== undefined) {
      return Promise.reject(new Error(`${this.#label}: closed (${closed.code}) after ${this.messages.length} of ${count} messages`));
    }
    return new Promise((resolve, reject) => this.#countWaiters.push({ count, resolve, reject }));
  }

  /** Resolves with the first close. */
  untilClosed(): Promise<CloseInfo> {
    const closed = this.closes[0];
    if (closed !== undefined) return Promise.resolve(closed);
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }
}
