/**
 * A bounded memory of things seen recently (§8 W6): channel nonces per channel, envelope ids
 * per node. It remembers the last `capacity` entries, each for at most `ttlMs` (when set); an
 * entry older than either bound is forgotten, so a replay older than the window is not caught.
 * Memory is bounded by `capacity` whatever a peer sends; entries are added only after the
 * message authenticated, so garbage cannot push real entries out.
 */
export interface ReplayWindowOptions {
  /** Entries remembered at most. Default 4096. */
  readonly capacity?: number;
  /** Entries older than this are forgotten; default: kept until pushed out by capacity. */
  readonly ttlMs?: number;
  /** Monotonic milliseconds; default `performance.now()`. */
  readonly now?: () => number;
}

export class ReplayWindow {
  readonly capacity: number;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  // Insertion order is age order: the first entry is the oldest.
  readonly #seen = new Map<string, number>();

  constructor(options: ReplayWindowOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 4096);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#seen.size;
  }

  has(key: string): boolean {
    this.#expire(this.#now());
    return this.#seen.has(key);
  }

  /** Remembers `key`; false when it was already remembered (a replay). */
  add(key: string): boolean {
    const now = this.#now();
    this.#expire(now);
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, now);
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }

  clear(): void {
    this.#seen.clear();
  }

  #expire(now: number): void {
    if (this.#ttlMs === undefined) return;
    const oldest = now - this.#ttlMs;
    for (const [key, at] of this.#seen) {
      if (at > oldest) break;
      this.#seen.delete(key);
    }
  }
}
