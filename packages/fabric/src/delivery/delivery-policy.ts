import { ConfigError } from '@naylence/core';

/**
 * How envelopes we send are delivered (protocol-core §6.3).
 * - `at-most-once` (default): sent once, no ACK requested.
 * - `at-least-once`: every Data envelope asks for a DeliveryAck (`rtype` ACK bit) and is
 *   re-sent, identical (same `id` and `corrId`), until acked or answered; receivers drop the
 *   duplicates by envelope id.
 */
export interface DeliveryPolicy {
  readonly mode: 'at-most-once' | 'at-least-once';
  /** Re-sends after the first attempt. Default 5. */
  readonly maxRetries: number;
  /** Delay before the first re-send. Default 1000 ms (reference: first check at delay(1) ≈ 2 s). */
  readonly baseDelayMs: number;
  /** Largest delay between re-sends. Default 10 000 ms. */
  readonly maxDelayMs: number;
  /** Random ± jitter added to each delay. Default 200 ms. */
  readonly jitterMs: number;
  /** Growth of the delay per re-send. Default 2. */
  readonly factor: number;
}

export const AT_MOST_ONCE: DeliveryPolicy = Object.freeze({
  mode: 'at-most-once',
  maxRetries: 0,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  jitterMs: 200,
  factor: 2,
});
export const AT_LEAST_ONCE: DeliveryPolicy = Object.freeze({
  mode: 'at-least-once',
  maxRetries: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 10_000,
  jitterMs: 200,
  factor: 2,
});

export type DeliveryOption = DeliveryPolicy['mode'] | (Partial<DeliveryPolicy> & { readonly mode: DeliveryPolicy['mode'] });

export function resolveDeliveryPolicy(option: DeliveryOption | undefined): DeliveryPolicy {
  if (option === undefined) return AT_MOST_ONCE;
  const mode = typeof option === 'string' ? option : option.mode;
  if (mode !== 'at-most-once' && mode !== 'at-least-once') throw new ConfigError(`unknown delivery mode ${JSON.stringify(mode)}`);
  const base = mode === 'at-least-once' ? AT_LEAST_ONCE : AT_MOST_ONCE;
  return typeof option === 'string' ? base : { ...base, ...option };
}

/** Delay before re-send number `attempt` (1-based). */
export function retryDelay(policy: DeliveryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
  return Math.max(0, Math.round(base + (random() * 2 - 1) * policy.jitterMs));
}
