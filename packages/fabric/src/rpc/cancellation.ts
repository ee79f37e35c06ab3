import { createEnvelope, type FameEnvelope } from '@naylence/core';

/**
 * One running call's cancellation state. The AbortController behind `signal` is created only
 * when a handler reads it (creating one costs microseconds, and most handlers never look).
 */
export class CallHandle {
  #controller: AbortController | undefined;
  #reason: Error | undefined;

  get aborted(): boolean {
    return this.#reason !== undefined;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: Error): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/**
 * Running calls by correlation id, so a cancel notification (`rpc.cancel`) can abort them.
 * Entries exist only while a call runs.
 */
export class RunningCalls {
  readonly #calls = new Map<string, CallHandle>();

  get size(): number {
    return this.#calls.size;
  }

  start(corrId: string | undefined): CallHandle {
    const handle = new CallHandle();
    if (corrId !== undefined) this.#calls.set(corrId, handle);
    return handle;
  }

  finish(corrId: string | undefined, handle: CallHandle): void {
    if (corrId !== undefined && this.#calls.get(corrId) === handle) this.#calls.delete(corrId);
  }

  /** Returns whether a running call was aborted. */
  cancel(corrId: string, reason: string): boolean {
    const handle = this.#calls.get(corrId);
    if (!handle) return false;
    this.#calls.delete(corrId);
    handle.abort(new Error(reason));
    return true;
  }

  cancelAll(reason: string): void {
    for (const handle of this.#calls.values()) handle.abort(new Error(reason));
    this.#calls.clear();
  }
}

/** JSON-RPC method of the cancel notification (the `rpc.` prefix is reserved for extensions). */
export const CANCEL_METHOD = 'rpc.cancel';

/** The notification that asks the callee to stop the call `corrId`. */
export function cancelNotice(to: string, corrId: string, sid: string | undefined): FameEnvelope {
  return createEnvelope({ sid, to, frame: { type: 'Data', payload: { jsonrpc: '2.0', method: CANCEL_METHOD, params: { id: corrId } } } });
}

/**
 * The one handler of `rpc.cancel`, wherever it arrives (a service address, or the system
 * inbox a streaming callee names as its `replyTo`): true when `payload` was a cancel notice.
 */
export function handleCancelNotice(payload: unknown, running: RunningCalls): boolean {
  const request = payload as { method?: unknown; params?: { id?: unknown } } | null;
  if (request?.method !== CANCEL_METHOD) return false;
  const id = request.params?.id;
  if (typeof id === 'string') running.cancel(id, 'cancelled by the caller');
  return true;
}
