// The ingress's bookkeeping of hostile-peer limits: links open at once (in total and per remote
// address), links whose attach has not completed yet (bounded, and expired), and the slow-down
// of failed authentication. The same semantics as the WebSocket listener's edge limits.
import {
  AuthThrottle,
  ConnectionLimits,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
} from '@naylence/core';
import type { HttpConnector } from './connector.js';

/** Default of `maxPendingLinks`. */
export const DEFAULT_MAX_PENDING_LINKS = 1_000;
/** Default of `pendingLinkTimeoutMs`. */
export const DEFAULT_PENDING_LINK_TIMEOUT_MS = 10_000;
/** Close reason of a link whose child never accepted the parent's first callback. */
export const PENDING_LINK_TIMEOUT_REASON = 'attach timeout';

/** The limits of the ingress on links of children and peers (see `HttpListenerOptions`). */
export interface IngressLimits {
  /** HTTP links open at once; a NodeAttach past it is answered `503`. Default 10 000. */
  readonly maxConnections?: number;
  /** The same cap per remote address of the NodeAttach request. Default 2 000. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * Links whose attach is in progress (the parent's first callback POST, the NodeAttachAck,
   * has not been accepted by the child yet) at once; a NodeAttach past it is answered `503`.
   * Default 1 000.
   */
  readonly maxPendingLinks?: number;
  /** Such a link is closed (1000 `attach timeout`) after this long. Default 10 000 ms; 0 = never. */
  readonly pendingLinkTimeoutMs?: number;
  /**
   * Failed authentication slows down its remote address: its requests are then spaced 100 ms
   * apart, doubling per failure within a minute, up to this; a request that would wait longer
   * is refused (`429`). A success clears the address. 0 disables. Default 2 000 ms.
   */
  readonly authFailureMaxDelayMs?: number;
  /**
   * The failed-authentication table to use instead of one of the ingress's own (then
   * `authFailureMaxDelayMs` is the throttle's). Listeners that share a port (e.g. this one and a
   * `WebSocketListener` on one server) pass the same throttle, so an address has one budget of
   * failures whichever transport it tries.
   */
  readonly authThrottle?: AuthThrottle;
}

/** What the ingress refused or cut off so far (counters only grow), and what is open now. */
export interface IngressStats {
  readonly links: number;
  readonly pendingLinks: number;
  /** NodeAttaches answered 503 because a link cap was reached. */
  readonly linksRefused: number;
  /** NodeAttaches answered 503 because too many attaches were in progress. */
  readonly pendingRefused: number;
  /** Links closed because their attach did not complete in time. */
  readonly pendingExpired: number;
  readonly authFailures: number;
  /** Requests delayed because their address failed authentication before. */
  readonly delayedAuthAttempts: number;
  /** Requests refused (429) because their address failed authentication too often. */
  readonly throttledAuthAttempts: number;
}

/** Limits and counters of one ingress. */
export class IngressGuard {
  readonly links: ConnectionLimits;
  readonly throttle: AuthThrottle;
  readonly #pending = new Map<HttpConnector, number>();
  readonly #maxPending: number;
  readonly #timeoutMs: number;
  readonly #onExpired: (connector: HttpConnector) => void;
  #sweep: ReturnType<typeof setInterval> | undefined;
  readonly counts = { pendingRefused: 0, pendingExpired: 0, authFailures: 0 };

  constructor(limits: IngressLimits, onExpired: (connector: HttpConnector) => void) {
    this.links = new ConnectionLimits(
      limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      limits.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    );
    this.throttle = limits.authThrottle ?? new AuthThrottle(limits.authFailureMaxDelayMs ?? DEFAULT_AUTH_FAILURE_MAX_DELAY_MS);
    this.#maxPending = limits.maxPendingLinks ?? DEFAULT_MAX_PENDING_LINKS;
    this.#timeoutMs = limits.pendingLinkTimeoutMs ?? DEFAULT_PENDING_LINK_TIMEOUT_MS;
    this.#onExpired = onExpired;
  }

  get stats(): IngressStats {
    return {
      links: this.links.total,
      pendingLinks: this.#pending.size,
      linksRefused: this.links.refused,
      delayedAuthAttempts: this.throttle.delayed,
      throttledAuthAttempts: this.throttle.refused,
      ...this.counts,
    };
  }

  /** Whether one more attach may start; forgets completed ones first when the table is full. */
  hasRoomForPending(): boolean {
    if (this.#pending.size >= this.#maxPending) this.#check(Date.now());
    if (this.#pending.size < this.#maxPending) return true;
    this.counts.pendingRefused += 1;
    return false;
  }

  /** Tracks `connector` until its peer accepts a first callback, it closes, or its time is up. */
  addPending(connector: HttpConnector): void {
    this.#pending.set(connector, this.#timeoutMs > 0 ? Date.now() + this.#timeoutMs : Number.POSITIVE_INFINITY);
    if (this.#sweep === undefined && this.#timeoutMs > 0) {
      this.#sweep = setInterval(() => this.#check(Date.now()), Math.max(10, Math.min(1_000, this.#timeoutMs / 4)));
      this.#sweep.unref();
    }
  }

  /** Whether `connector` is still waiting for its first callback to be accepted. */
  isPending(connector: HttpConnector): boolean {
    if (!this.#pending.has(connector)) return false;
    if (connector.state === 'open' && connector.stats.delivered === 0) return true;
    this.#pending.delete(connector);
    return false;
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#pending.clear();
  }

  #check(now: number): void {
    for (const [connector, deadline] of this.#pending) {
      if (!this.isPending(connector)) continue;
      if (now >= deadline) {
        this.#pending.delete(connector);
        this.counts.pendingExpired += 1;
        this.#onExpired(connector);
      }
    }
    if (this.#pending.size === 0 && this.#sweep !== undefined) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
  }
}
