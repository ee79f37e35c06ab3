import { unrefTimer } from '@naylence/core';

/**
 * Deadlines of links still waiting for their NodeAttach: one timer sweeps all of them (a timer
 * per link cost memory and CPU for every attach), and only while there are any.
 */
export class AttachDeadlines<T> {
  readonly #due = new Map<T, number>();
  readonly #timeoutMs: number;
  readonly #expired: (item: T) => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param expired called for an item still waiting at its deadline */
  constructor(timeoutMs: number, expired: (item: T) => void) {
    this.#timeoutMs = timeoutMs;
    this.#expired = expired;
  }

  add(item: T): void {
    this.#due.set(item, Date.now() + this.#timeoutMs);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(5, Math.min(250, this.#timeoutMs / 10)));
      unrefTimer(this.#timer);
    }
  }

  delete(item: T): void {
    this.#due.delete(item);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#due.clear();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [item, due] of this.#due) {
      if (now < due) continue;
      this.#due.delete(item);
      this.#expired(item);
    }
    if (this.#due.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
