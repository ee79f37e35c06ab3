import { AbortedError, FameTimeoutError } from '@naylence/core';

/**
 * The caller's side of a streamed RPC: an async iterator over the items, with a bounded
 * buffer. When the buffer is full, delivery of the next item is held back — which holds back
 * that stream's flow-control credit, so the producer slows down to the consumer's pace.
 *
 * Breaking out of `for await`, calling `return()` or `cancel()`, or aborting the call's signal
 * cancels the call: the producer is told with an `rpc.cancel` notification and items still in
 * flight are discarded. A consumer that waits longer than the idle timeout for the next item
 * gets a TIMEOUT error. Always consume or cancel a stream: an abandoned one keeps its producer
 * waiting for credit.
 */
export class RpcStream<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #idleTimeoutMs: number;
  readonly #onCancel: (reason: Error) => void;
  #items: T[] = [];
  #head = 0;
  #done = false;
  #error: Error | undefined;
  #cancelled = false;
  #consumer: { resolve(r: IteratorResult<T>): void; reject(e: Error): void } | undefined;
  #producers: (() => void)[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: { capacity: number; idleTimeoutMs: number; onCancel: (reason: Error) => void }) {
    this.#capacity = options.capacity;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#onCancel = options.onCancel;
  }

  get isSettled(): boolean {
    return this.#done || this.#cancelled || this.#error !== undefined;
  }

  /** One item arrived. Returns a promise while the buffer is full (hold the credit). */
  push(item: T): void | Promise<void> {
    if (this.isSettled) return undefined; // cancelled: accept and discard so the flow drains
    const consumer = this.#consumer;
    if (consumer) {
      this.#consumer = undefined;
      clearTimeout(this.#idleTimer);
      consumer.resolve({ value: item, done: false });
      return undefined;
    }
    this.#items.push(item);
    if (this.#items.length - this.#head < this.#capacity) return undefined;
    return new Promise<void>((resolve) => this.#producers.push(resolve));
  }

  end(): void {
    if (this.isSettled) return;
    this.#done = true;
    this.#settle();
  }

  fail(error: Error): void {
    if (this.isSettled) return;
    this.#error = error;
    this.#settle();
  }

  /**
   * Stop the stream and ask the producer to stop. A pending or later `next()` rejects with
   * `reason` (an AbortedError by default).
   */
  cancel(reason: Error = new AbortedError('stream')): void {
    this.#cancel(reason, true);
  }

  #cancel(reason: Error, reportToConsumer: boolean): void {
    if (this.isSettled) return;
    this.#cancelled = true;
    if (reportToConsumer) this.#error = reason;
    this.#items = [];
    this.#head = 0;
    this.#settle();
    this.#onCancel(reason);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      this.#producers.shift()?.();
      return Promise.resolve({ value, done: false });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#done || this.#cancelled) return Promise.resolve({ value: undefined, done: true });
    // Only a waiting consumer can time out: a slow consumer with a full buffer never does.
    this.#armIdle();
    return new Promise((resolve, reject) => (this.#consumer = { resolve, reject }));
  }

  /** The consumer stopped early (`break` in `for await`): cancel quietly. */
  return(): Promise<IteratorResult<T>> {
    this.#cancel(new AbortedError('stream'), false);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** Collect every remaining item (convenience for short streams). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }

  #armIdle(): void {
    if (this.#idleTimeoutMs <= 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.cancel(new FameTimeoutError('stream (waiting for the next item)', this.#idleTimeoutMs));
    }, this.#idleTimeoutMs);
  }

  #settle(): void {
    clearTimeout(this.#idleTimer);
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer) {
      if (this.#error) consumer.reject(this.#error);
      else consumer.resolve({ value: undefined, done: true });
    }
    for (const wake of this.#producers.splice(0)) wake();
  }
}
