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

/**
 * One {@link StageOrder} per key, made while a key has something pending and dropped once it is
 * idle. A link keys Data by address (`to` outbound, the sender's `sid` inbound): order is what a stream to
 * one address needs, and an envelope whose stage waits for a channel handshake or a key must hold
 * up neither traffic to other addresses nor the SecureOpen, KeyRequest or KeyAnnounce it waits
 * for (those carry no key and are never held).
 */
export class KeyedStageOrder {
  #orders: Map<string, StageOrder> | undefined;

  /**
   * Passes `result` to `next`: at once when it is synchronous and nothing with its key is pending
   * (no promise, no microtask), otherwise behind the pending ones with its key. `key` undefined:
   * never held, passed on as soon as it settles.
   */
  pass<R>(key: string | undefined, result: StageResult | Promise<StageResult>, next: (settled: Settled) => R): R | Promise<Awaited<R>> {
    const pending = key === undefined ? undefined : this.#orders?.get(key);
    if (!(result instanceof Promise) && (pending === undefined || pending.idle)) return next(result);
    if (key === undefined) {
      return (result as Promise<StageResult>).then(next, (error: unknown) => next(thrownRejection(error))) as Promise<Awaited<R>>;
    }
    const order = pending ?? new StageOrder();
    if (pending === undefined) (this.#orders ??= new Map()).set(key, order);
    return order.after(result, (settled) => {
      if (order.idle) this.#orders?.delete(key);
      return next(settled);
    });
  }

  /** Fails every result still waiting with `error` (the link closed). */
  failAll(error: unknown): void {
    const orders = this.#orders;
    this.#orders = undefined;
    if (orders !== undefined) for (const order of orders.values()) order.failAll(error);
  }
}
