/**
 * Envelope ids seen recently, for dropping at-least-once duplicates. Bounded in count and in
 * age, so memory stays flat however long a node runs.
 */
export class RecentIds {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  readonly #ttlMs: number;

  constructor(max = 16_384, ttlMs = 10 * 60_000) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records `id`; returns true when it was already recorded (a duplicate). */
  check(id: string, now = Date.now()): boolean {
    const at = this.#seen.get(id);
    if (at !== undefined && now - at < this.#ttlMs) return true;
    this.#seen.delete(id);
    this.#seen.set(id, now);
    // Map iteration order is insertion order: the oldest entries come first.
    for (const [oldest, time] of this.#seen) {
      if (this.#seen.size <= this.#max && now - time < this.#ttlMs) break;
      this.#seen.delete(oldest);
    }
    return false;
  }
}
