// The WebSocket listener's bounded edge: connection caps, the upgrade deadline of connections to
// a server of its own, and the slow-down of failed authentication, with their counters and
// rate-limited log lines. Bookkeeping only: the listener decides what to do with a refusal.
import type { Socket } from 'node:net';
import {
  AuthThrottle,
  ConnectionLimits,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  LogLimiter,
  OVER_CAP_RESPONSE,
  type Logger,
} from '@naylence/core';
import type { WebSocketListenerOptions, WebSocketListenerStats } from './listener-options.js';

/** What `authDelay` decided for an upgrade: go on now, wait this many ms, or refuse (429). */
export const REFUSE = -1;

export class ListenerEdge {
  readonly limiter = new LogLimiter();
  readonly counts = { upgradeTimeouts: 0, authFailures: 0, peersRefused: 0 };
  readonly #limits: ConnectionLimits;
  readonly #throttle: AuthThrottle;
  /** Connections to our own server that have not upgraded yet, with their deadline; one timer sweeps them. */
  readonly #upgrading = new Map<Socket, number>();
  #sweep: ReturnType<typeof setInterval> | undefined;
  readonly #logger: () => Logger;

  /** @param logger the listener's current logger (it changes when the listener starts) */
  constructor(options: WebSocketListenerOptions, logger: () => Logger) {
    this.#logger = logger;
    this.#limits = new ConnectionLimits(
      options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    );
    this.#throttle = options.authThrottle ?? new AuthThrottle(options.authFailureMaxDelayMs ?? DEFAULT_AUTH_FAILURE_MAX_DELAY_MS);
  }

  get stats(): WebSocketListenerStats {
    return {
      connections: this.#limits.total,
      refusedOverCap: this.#limits.refused,
      delayedAuthAttempts: this.#throttle.delayed,
      throttledAuthAttempts: this.#throttle.refused,
      ...this.counts,
    };
  }

  /** A TCP connection to our own server: counted against the caps (refused with 503 past them), and closed unless it upgrades in time. */
  connected(socket: Socket, timeoutMs: number): void {
    if (!this.admit(socket)) {
      socket.on('error', () => {}); // the peer may still write, or reset
      socket.end(OVER_CAP_RESPONSE);
      return;
    }
    if (timeoutMs > 0) {
      this.#upgrading.set(socket, Date.now() + timeoutMs);
      if (this.#sweep === undefined) {
        this.#sweep = setInterval(() => this.#sweepUpgrades(), Math.max(10, Math.min(1_000, timeoutMs / 4)));
        this.#sweep.unref();
      }
    }
  }

  /** The connection asked for its upgrade: no deadline any more. */
  upgrading(socket: Socket): void {
    if (this.#upgrading.size > 0) this.#upgrading.delete(socket);
  }

  /** Counts `socket` in (once; a socket of our own server was counted when it connected); false, with a log line, past a cap. */
  admit(socket: Socket): boolean {
    if (this.#limits.admit(socket)) return true;
    this.#log(
      'warn',
      'over-cap',
      { remoteAddress: socket.remoteAddress, refused: this.#limits.refused },
      `refused a connection (503): ${this.#limits.describe(socket)}`,
    );
    return false;
  }

  /**
   * How long an authenticated upgrade from `address` waits first (0 = not at all), or
   * {@link REFUSE}: an address whose authentication failed recently is slowed down.
   */
  authDelay(address: string): number {
    const delayMs = this.#throttle.delayFor(address);
    if (delayMs === 0) return 0;
    if (delayMs < 0) {
      this.#log(
        'warn',
        'auth-throttled',
        { remoteAddress: address },
        'refused an upgrade (429): too many attempts after failed authentication from its address',
      );
      return REFUSE;
    }
    this.#log(
      'info',
      'auth-delayed',
      { remoteAddress: address, delayMs },
      'delaying an upgrade after failed authentication from its address',
    );
    return delayMs;
  }

  authFailed(address: string): number {
    this.#throttle.failed(address);
    return ++this.counts.authFailures;
  }

  authSucceeded(address: string): void {
    this.#throttle.succeeded(address);
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#upgrading.clear();
  }

  #log(level: 'info' | 'warn', key: string, fields: object, message: string): void {
    this.limiter.log(this.#logger(), level, key, fields, message);
  }

  /** Closes the connections whose upgrade deadline passed (and forgets closed ones). */
  #sweepUpgrades(): void {
    const now = Date.now();
    for (const [socket, deadline] of this.#upgrading) {
      if (socket.destroyed) this.#upgrading.delete(socket);
      else if (now >= deadline) {
        this.#upgrading.delete(socket);
        this.counts.upgradeTimeouts += 1;
        this.#log(
          'info',
          'upgrade-timeout',
          { remoteAddress: socket.remoteAddress },
          'closed a connection that did not complete the WebSocket upgrade in time',
        );
        socket.destroy();
      }
    }
    if (this.#upgrading.size === 0) {
      clearInterval(this.#sweep);
      this.#sweep = undefined;
    }
  }
}
