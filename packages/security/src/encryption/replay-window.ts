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
  // Keys by scope: a two-part key (sender, envelope id) costs no string built per message.
  readonly #seen = new Map<string, Set<string>>();
  #size = 0;
  // The entries oldest first, as a ring starting at #head (grown up to `capacity` as needed):
  // dropping the oldest is O(1), never a walk over a Map's deleted slots.
  #keys: string[] = [];
  #scopes: string[] = [];
  #times: number[] = [];
  #head = 0;

  constructor(options: ReplayWindowOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 4096);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#size;
  }

  /** Whether `key` (in `scope`, e.g. the sender) is remembered. */
  has(key: string, scope = ''): boolean {
    if (this.#ttlMs !== undefined) this.#expire(this.#now());
    return this.#seen.get(scope)?.has(key) === true;
  }

  /** Remembers `key` in `scope`; false when it was already remembered there (a replay). */
  add(key: string, scope = ''): boolean {
    let now = 0;
    if (this.#ttlMs !== undefined) this.#expire((now = this.#now()));
    if (this.#seen.get(scope)?.has(key) === true) return false;
    if (this.#size >= this.capacity) this.#dropOldest();
    let seen = this.#seen.get(scope);
    if (seen === undefined) this.#seen.set(scope, (seen = new Set()));
    const count = this.#size;
    const length = this.#keys.length;
    if (count < length) {
      const slot = (this.#head + count) % length;
      this.#keys[slot] = key;
      this.#scopes[slot] = scope;
      this.#times[slot] = now;
    } else {
      // Full ring below capacity: straighten it, then grow it by one.
      if (this.#head !== 0) {
        const head = this.#head;
        this.#keys = [...this.#keys.slice(head), ...this.#keys.slice(0, head)];
        this.#scopes = [...this.#scopes.slice(head), ...this.#scopes.slice(0, head)];
        this.#times = [...this.#times.slice(head), ...this.#times.slice(0, head)];
        this.#head = 0;
      }
      this.#keys.push(key);
      this.#scopes.push(scope);
      this.#times.push(now);
    }
    seen.add(key);
    this.#size++;
    return true;
  }

  clear(): void {
    this.#seen.clear();
    this.#size = 0;
    this.#keys = [];
    this.#scopes = [];
    this.#times = [];
    this.#head = 0;
  }

  #dropOldest(): void {
    const head = this.#head;
    const scope = this.#scopes[head]!;
    const seen = this.#seen.get(scope)!;
    seen.delete(this.#keys[head]!);
    if (seen.size === 0) this.#seen.delete(scope);
    this.#keys[head] = '';
    this.#scopes[head] = '';
    this.#head = (head + 1) % this.#keys.length;
    this.#size--;
  }

  #expire(now: number): void {
    const oldest = now - this.#ttlMs!;
    while (this.#size > 0 && this.#times[this.#head]! <= oldest) this.#dropOldest();
  }
}
