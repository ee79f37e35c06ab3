/** Timing and statistics helpers shared by the scenarios. */
import type { Summary } from './scenario.js';

export interface Rate {
  readonly opsPerSec: number;
}

/** Runs `fn` in batches until `durationMs` elapsed and returns its rate. */
export function measureRate(fn: () => void, durationMs: number, batch = 1_000): Rate {
  // warm up so the JIT has compiled the hot path before we time it
  for (let i = 0; i < batch * 5; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return { opsPerSec: ops / (Number(now - start) / 1e9) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Like {@link summarize}, but `undefined` when no round produced a figure. */
export function summarizeSome(values: readonly (number | undefined)[]): Summary | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return finite.length > 0 ? summarize(finite) : undefined;
}

/** Nearest-rank percentile of unsorted samples; NaN for none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Keeps results observable so the JIT cannot drop the work being measured. */
export let sink: unknown;
export function consume(value: unknown): void {
  sink = value;
}
