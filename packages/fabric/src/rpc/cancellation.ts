/**
 * Running calls by correlation id, so a cancel notification (`rpc.cancel`) can abort them.
 * Entries exist only while a call runs.
 */
export class RunningCalls {
  readonly #calls = new Map<string, AbortController>();

  get size(): number {
    return this.#calls.size;
  }

  start(corrId: string | undefined): AbortController {
    const controller = new AbortController();
    if (corrId !== undefined) this.#calls.set(corrId, controller);
    return controller;
  }

  finish(corrId: string | undefined, controller: AbortController): void {
    if (corrId !== undefined && this.#calls.get(corrId) === controller) this.#calls.delete(corrId);
  }

  /** Returns whether a running call was aborted. */
  cancel(corrId: string, reason: string): boolean {
    const controller = this.#calls.get(corrId);
    if (!controller) return false;
    this.#calls.delete(corrId);
    controller.abort(new Error(reason));
    return true;
  }

  cancelAll(reason: string): void {
    for (const controller of this.#calls.values()) controller.abort(new Error(reason));
    this.#calls.clear();
  }
}

/** JSON-RPC method of the cancel notification (the `rpc.` prefix is reserved for extensions). */
export const CANCEL_METHOD = 'rpc.cancel';
