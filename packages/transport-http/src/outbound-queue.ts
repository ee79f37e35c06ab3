import { utf8ByteLength, type WireMessage } from '@naylence/core';

const QUEUED = 0;
const IN_FLIGHT = 1;
const RETRY = 2;
const ACKED = 3;

/** One message of an {@link OutboundQueue}: the body of one POST, with its sequence number. */
export interface QueuedRequest {
  readonly seq: number;
  readonly body: WireMessage;
  readonly bytes: number;
  /** @internal one of QUEUED, IN_FLIGHT, RETRY, ACKED */
  state: number;
  /** Retried once with a fresh token after a 401. */
  authRetried: boolean;
  networkRetries: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** Acknowledged messages dropped from the front of the array at once, at least. */
const COMPACT_AFTER = 1024;

/**
 * The messages of one HTTP sender, in order, from queued to acknowledged: which one goes out
 * next (a message to send again before any new one), the unacknowledged bytes against the
 * high-water mark, and the callers waiting for room (`drain`) or for everything to be
 * acknowledged (`flush`).
 */
export class OutboundQueue {
  readonly #highWaterMark: number;
  #items: QueuedRequest[] = [];
  /** First message not acknowledged yet. */
  #head = 0;
  /** First message never sent. */
  #cursor = 0;
  #nextSeq = 0;
  #retryCount = 0;
  #queuedBytes = 0;
  #drainWaiters: Waiter[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(highWaterMark: number) {
    this.#highWaterMark = highWaterMark;
  }

  /** Bytes queued and not yet acknowledged. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Whether every message was acknowledged. */
  get idle(): boolean {
    return this.#head === this.#items.length;
  }

  /** Takes the next sequence number for a request outside the queue (the close notice). */
  takeSeq(): number {
    return this.#nextSeq++;
  }

  /** Appends `message`; returns false once the unacknowledged bytes reach the high-water mark. */
  push(message: WireMessage): boolean {
    const bytes = typeof message === 'string' ? utf8ByteLength(message) : message.byteLength;
    this.#items.push({ seq: this.#nextSeq++, body: message, bytes, state: QUEUED, authRetried: false, networkRetries: 0 });
    this.#queuedBytes += bytes;
    return this.#queuedBytes < this.#highWaterMark;
  }

  /** The message to send next: the oldest one marked for a retry, else the oldest never sent. */
  next(): QueuedRequest | undefined {
    if (this.#retryCount > 0) {
      for (let i = this.#head; i < this.#cursor; i++) {
        const item = this.#items[i]!;
        if (item.state === RETRY) return item;
      }
    }
    return this.#cursor < this.#items.length ? this.#items[this.#cursor++] : undefined;
  }

  /** `item`, just taken by {@link next}, is not sent after all (it goes out first next time). */
  putBack(item: QueuedRequest): void {
    if (item.state === QUEUED) this.#cursor--;
  }

  markInFlight(item: QueuedRequest): void {
    if (item.state === RETRY) this.#retryCount--;
    item.state = IN_FLIGHT;
  }

  /** `item` goes out again, before any message never sent. */
  markRetry(item: QueuedRequest): void {
    item.state = RETRY;
    this.#retryCount++;
  }

  /** The receiver accepted `item`: frees the acknowledged prefix and wakes whoever waits for room or for the end. */
  ack(item: QueuedRequest): void {
    item.state = ACKED;
    const items = this.#items;
    while (this.#head < items.length && items[this.#head]!.state === ACKED) {
      this.#queuedBytes -= items[this.#head]!.bytes;
      this.#head++;
    }
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#cursor -= this.#head;
      this.#head = 0;
    }
    if (this.#queuedBytes < this.#highWaterMark && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
    if (this.idle) this.notifyIdle();
  }

  /** Resolves once the queue is below the high-water mark; rejected by {@link rejectDrains}. */
  drain(): Promise<void> {
    if (this.#queuedBytes < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /** Resolves true once every message was acknowledged, false after `timeoutMs` or {@link notifyIdle} with messages left. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.idle);
      });
    });
  }

  rejectDrains(error: Error): void {
    const drains = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of drains) waiter.reject(error);
  }

  /** Settles every pending {@link flush} (true if nothing is left). */
  notifyIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
