import { AbortedError } from '@naylence/core';

/** Resolves after `ms` unless `signal` aborts first (then rejects with ABORTED). The timer never keeps the process alive. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('wait', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('wait', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    unref(timer);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Let a timer not hold the process open (Node); no-op elsewhere. */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
