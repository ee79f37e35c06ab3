/** How a node retries its upstream link (protocol-core §4.7 defaults). */
export interface ReconnectPolicy {
  /** First delay. Default 1000 ms. */
  readonly initialDelayMs: number;
  /** Largest delay. Default 30 000 ms. */
  readonly maxDelayMs: number;
  /** Growth per failed attempt. Default 2. */
  readonly factor: number;
  /** A random extra delay in [0, jitter × delay). Default 1 (full jitter on top, as the reference). */
  readonly jitter: number;
  /** A link that lived this long resets the delay to `initialDelayMs`. Default 10 000 ms. */
  readonly resetAfterMs: number;
  /** Attempts for the very first attach before `start()` fails (0 = unlimited). Default 1. */
  readonly maxInitialAttempts: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 10_000,
  maxInitialAttempts: 1,
});

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  return Math.round(base + random() * policy.jitter * base);
}
