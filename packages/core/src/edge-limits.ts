// Edge limits shared by the listeners of every transport (WebSocket, HTTP): caps on open
// connections and links, and the slow-down of failed authentication. Pure bookkeeping, no I/O.

/** Defaults of the listeners' edge limits (`maxConnections`, `maxConnectionsPerAddress`, `authFailureMaxDelayMs`). */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 2_000;
export const DEFAULT_AUTH_FAILURE_MAX_DELAY_MS = 2_000;

/** What a server writes on a TCP connection it refuses because a connection cap is reached. */
export const OVER_CAP_RESPONSE = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** The part of a TCP socket the limits need. */
export interface CountedSocket {
  readonly remoteAddress?: string | undefined;
  on(event: 'close', listener: (this: CountedSocket) => void): unknown;
}

/**
 * Caps on open connections, in total and per remote address (like nats-server's
 * `max_connections`). A socket is counted once, from `admit` until it closes; other things
 * with an address (an HTTP link) are counted with `tryAdmit` and `release`.
 */
export class ConnectionLimits {
  readonly #max: number;
  readonly #perAddress: number;
  readonly #byAddress = new Map<string, number>();
  readonly #counted = new WeakSet<object>();

  /** One close listener for every counted socket (no closure per connection). */
  readonly #onClose: (this: CountedSocket) => void;
  #total = 0;
  /** Sockets refused because a cap was reached. */
  refused = 0;

  constructor(max: number, perAddress: number) {
    this.#max = max;
    this.#perAddress = perAddress;
    const limits = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the listener's `this` is the socket
    this.#onClose = function (this: CountedSocket) {
      limits.release(this.remoteAddress ?? '');
    };
  }

  get total(): number {
    return this.#total;
  }

  /** Counts `socket` in (once); false, counting nothing, when a cap is reached. */
  admit(socket: CountedSocket): boolean {
    if (this.#counted.has(socket)) return true;
    if (!this.tryAdmit(socket.remoteAddress ?? '')) return false;
    this.#counted.add(socket);
    socket.on('close', this.#onClose);
    return true;
  }

  /** Counts one more for `address`; false, counting nothing, when a cap is reached. Each true needs one {@link release}. */
  tryAdmit(address: string): boolean {
    const here = this.#byAddress.get(address) ?? 0;
    if (this.#total >= this.#max || here >= this.#perAddress) {
      this.refused += 1;
      return false;
    }
    this.#total += 1;
    this.#byAddress.set(address, here + 1);
    return true;
  }

  release(address: string): void {
    this.#total -= 1;
    const left = (this.#byAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.#byAddress.delete(address);
    else this.#byAddress.set(address, left);
  }

  /** Why `admit` refused, for the log. */
  describe(socket: { readonly remoteAddress?: string | undefined }, what = 'connections'): string {
    return this.#total >= this.#max ? `${this.#max} ${what} open` : `${this.#perAddress} ${what} from ${socket.remoteAddress ?? '?'}`;
  }
}

/**
 * Slows down failed authentication per remote address. After the n-th failure within
 * `windowMs`, attempts from that address are spaced `baseMs · 2^(n-1)` apart (at most
 * `maxDelayMs`): each waits for the previous one's slot, so parallel attempts are serialized
 * too, and an attempt that would wait longer than `maxDelayMs` is refused at once. A success
 * clears the address. Remembers at most `maxAddresses` addresses (the least recently failed are
 * forgotten first).
 */
export class AuthThrottle {
  readonly #failures = new Map<string, { count: number; last: number; nextAt: number }>();
  readonly #maxDelayMs: number;
  readonly #baseMs: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  /** Attempts that were delayed. */
  delayed = 0;
  /** Attempts refused because too many already wait for that address. */
  refused = 0;

  constructor(maxDelayMs: number, baseMs = 100, windowMs = 60_000, maxAddresses = 10_000) {
    this.#maxDelayMs = maxDelayMs;
    this.#baseMs = baseMs;
    this.#windowMs = windowMs;
    this.#maxAddresses = maxAddresses;
  }

  /** How long the next attempt from `address` waits (0 = at once, -1 = refuse it now). */
  delayFor(address: string, now = Date.now()): number {
    if (this.#maxDelayMs <= 0) return 0;
    const entry = this.#failures.get(address);
    if (entry === undefined) return 0;
    if (now - entry.last >= this.#windowMs) {
      this.#failures.delete(address);
      return 0;
    }
    const wait = Math.max(0, entry.nextAt - now);
    if (wait > this.#maxDelayMs) {
      this.refused += 1;
      return -1;
    }
    entry.nextAt = now + wait + this.#step(entry.count);
    if (wait > 0) this.delayed += 1;
    return wait;
  }

  failed(address: string, now = Date.now()): void {
    if (this.#maxDelayMs <= 0) return;
    const entry = this.#failures.get(address);
    this.#failures.delete(address);
    const count = entry !== undefined && now - entry.last < this.#windowMs ? entry.count + 1 : 1;
    this.#failures.set(address, { count, last: now, nextAt: Math.max(entry?.nextAt ?? 0, now + this.#step(count)) });
    if (this.#failures.size > this.#maxAddresses) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }

  #step(count: number): number {
    return Math.min(this.#maxDelayMs, this.#baseMs * 2 ** Math.min(count - 1, 30));
  }
}
