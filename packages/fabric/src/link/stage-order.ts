import type { EnvelopeRejection, FameEnvelope, StageResult } from '@naylence/core';
import { thrownRejection } from './link-peer.js';

type Settled = FameEnvelope | EnvelopeRejection;

interface Waiting {
  /** The stage's result once it settled (a stage that failed counts as a rejection). */
  settled: Settled | undefined;
  readonly next: (settled: Settled) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The result that came in after this one. */
  behind: Waiting | undefined;
}

/**
 * Keeps one side of a link (outbound or inbound) in order when security stages answer with
 * promises (browsers sign with WebCrypto): while any result is pending, results after it wait
 * behind it, sync ones included, so envelopes go on in the order they came in whatever order
 * their stages settle in. The stages themselves still run at once, side by side.
 *
 * Only the slow path: a link asks `idle` first and, with nothing pending and a synchronous
 * result, carries on without it (no promise, no microtask).
 */
export class StageOrder {
  /** Results not yet passed on, oldest first. */
  #first: Waiting | undefined;
  #last: Waiting | undefined;

  /** Nothing is pending: a synchronous result may be passed on at once. */
  get idle(): boolean {
    return this.#first === undefined;
  }

  /**
   * Passes `result` to `next` once it settled and every earlier result was passed on; settles
   * as what `next` returns does.
   */
  after<R>(result: StageResult | Promise<StageResult>, next: (settled: Settled) => R): Promise<Awaited<R>> {
    return new Promise<Awaited<R>>((resolve, reject) => {
      const entry: Waiting = { settled: undefined, next, resolve: resolve as (value: unknown) => void, reject, behind: undefined };
      if (this.#last === undefined) this.#first = entry;
      else this.#last.behind = entry;
      this.#last = entry;
      if (!(result instanceof Promise)) {
        entry.settled = result;
        this.#drain();
        return;
      }
      result.then(
        (settled) => {
          entry.settled = settled;
          this.#drain();
        },
        (error: unknown) => {
          entry.settled = thrownRejection(error);
          this.#drain();
        },
      );
    });
  }

  /** Fails every result still waiting with `error` (the link closed); their stages' late answers are ignored. */
  failAll(error: unknown): void {
    let entry = this.#first;
    this.#first = this.#last = undefined;
    for (; entry !== undefined; entry = entry.behind) entry.reject(error);
  }

  #drain(): void {
    // (an entry is taken off before `next` runs, so a `next` that feeds this side again only
    // queues behind what is left)
    for (let entry = this.#first; entry?.settled !== undefined; entry = this.#first) {
      this.#first = entry.behind;
      if (this.#first === undefined) this.#last = undefined;
      try {
        entry.resolve(entry.next(entry.settled));
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
