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
  readonly #seen = new Set<string>();
  // The entries oldest first, as a ring starting at #head (grown up to `capacity` as needed):
  // dropping the oldest is O(1), never a walk over a Map's deleted slots.
  #keys: string[] = [];
  #times: number[] = [];
  #head = 0;

  constructor(options: ReplayWindowOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 4096);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#seen.size;
  }

  has(key: string): boolean {
    if (this.#ttlMs !== undefined) this.#expire(this.#now());
    return this.#seen.has(key);
  }

  /** Remembers `key`; false when it was already remembered (a replay). */
  add(key: string): boolean {
    let now = 0;
    if (this.#ttlMs !== undefined) this.#expire((now = this.#now()));
    const seen = this.#seen;
    if (seen.has(key)) return false;
    if (seen.size >= this.capacity) this.#dropOldest();
    const count = seen.size;
    const length = this.#keys.length;
    if (count < length) {
      const slot = (this.#head + count) % length;
      this.#keys[slot] = key;
      this.#times[slot] = now;
    } else {
      // Full ring below capacity: straighten it, then grow it by one.
      if (this.#head !== 0) {
        this.#keys = [...this.#keys.slice(this.#head), ...this.#keys.slice(0, this.#head)];
        this.#times = [...this.#times.slice(this.#head), ...this.#times.slice(0, this.#head)];
        this.#head = 0;
      }
      this.#keys.push(key);
      this.#times.push(now);
    }
    seen.add(key);
    return true;
  }

  clear(): void {
    this.#seen.clear();
    this.#keys = [];
    this.#times = [];
    this.#head = 0;
  }

  #dropOldest(): void {
    const head = this.#head;
    this.#seen.delete(this.#keys[head]!);
    this.#keys[head] = '';
    this.#head = (head + 1) % this.#keys.length;
  }

  #expire(now: number): void {
    const oldest = now - this.#ttlMs!;
    while (this.#seen.size > 0 && this.#times[this.#head]! <= oldest) this.#dropOldest();
  }
}
