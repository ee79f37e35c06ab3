import { AbortedError } from '@naylence/core';

/**
 * Resolves after `ms` unless `signal` aborts first (then rejects with ABORTED). The timer keeps
 * the process alive: a node waiting to (re)attach has nothing else holding it open, and it must
 * not exit in the middle of its backoff.
 */
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
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
