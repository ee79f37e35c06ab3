/**
 * Lets a timer not keep a Node process alive (a socket or a pending call does that); a no-op
 * where timers have no `unref` (browsers).
 */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

type Task = () => void;

/**
 * A macrotask scheduler over a `MessageChannel` (browsers, workers): unlike `setTimeout(fn, 0)`
 * it is not clamped to 4 ms once nested, so a chain of in-page hops does not crawl.
 */
function messageChannelScheduler(): (fn: Task) => void {
  const queue: Task[] = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => queue.shift()?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

const setImmediateFn = (globalThis as { setImmediate?: (fn: Task) => unknown }).setImmediate;

/**
 * Runs `fn` after pending I/O and events, like a socket read: `setImmediate` on Node, a
 * `MessageChannel` message in browsers and workers, a zero-delay timer where neither exists.
 * In-process transports deliver through it, so a hop never re-enters its sender.
 */
export const scheduleMacrotask: (fn: Task) => void = setImmediateFn
  ? (fn) => {
      setImmediateFn(fn);
    }
  : typeof MessageChannel === 'function'
    ? messageChannelScheduler()
    : (fn) => {
        setTimeout(fn, 0);
      };
