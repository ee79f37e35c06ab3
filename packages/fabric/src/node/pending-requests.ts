import { FameTimeoutError, unrefTimer, type FameEnvelope } from '@naylence/core';

interface Waiter {
  resolve(envelope: FameEnvelope): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests waiting for an answer matched by `corrId` (control acks, heartbeat acks, the
 * attach ack). Each entry is removed when answered, failed or timed out: nothing is retained.
 */
export class PendingRequests {
  // Created for the first request: most children's links never carry one from us.
  #map: Map<string, Waiter> | undefined;

  get #waiters(): Map<string, Waiter> {
    return (this.#map ??= new Map());
  }

  get size(): number {
    return this.#map?.size ?? 0;
  }

  /** Wait for the answer to `corrId`; rejects with TIMEOUT after `timeoutMs`. */
  wait(corrId: string, what: string, timeoutMs: number): Promise<FameEnvelope> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(corrId);
        reject(new FameTimeoutError(what, timeoutMs));
      }, timeoutMs);
      unrefTimer(timer);
      this.#waiters.set(corrId, { resolve, reject, timer });
    });
  }

  /** Hand an answer to its waiter. Returns false when nobody waits for that corrId. */
  settle(corrId: string | undefined, envelope: FameEnvelope): boolean {
    if (corrId === undefined || this.#map === undefined) return false;
    const waiter = this.#map.get(corrId);
    if (!waiter) return false;
    this.#waiters.delete(corrId);
    clearTimeout(waiter.timer);
    waiter.resolve(envelope);
    return true;
  }

  /** Fail one waiter. */
  fail(corrId: string, error: Error): void {
    const waiter = this.#waiters.get(corrId);
    if (!waiter) return;
    this.#waiters.delete(corrId);
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  /** Fail every waiter (link lost, node stopped). */
  failAll(error: Error): void {
    if (this.#map === undefined) return;
    const waiters = [...this.#map.values()];
    this.#map.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }
}
