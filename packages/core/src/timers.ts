/**
 * Lets a timer not keep a Node process alive (a socket or a pending call does that); a no-op
 * where timers have no `unref` (browsers).
 */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
