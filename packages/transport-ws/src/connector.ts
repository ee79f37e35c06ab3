import {
  ConfigError,
  ConnectorClosedError,
  NOOP_LOGGER,
  randomId,
  type CloseInfo,
  type Connector,
  type ConnectorHandlers,
  type ConnectorInfo,
  type ConnectorState,
  type Logger,
  type WireMessage,
  unrefTimer as unref,
} from '@naylence/core';
import { CLOSE_NORMAL, wireCloseCode, wireCloseReason } from './close-codes.js';
import type { CorkableStream, EdgeEvents, SocketEdge } from './platform/edge.js';
import { createSocketEdge, type PlatformSocket } from './platform/index.js';

/** Default outbound high-water mark: 1 MiB. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** Default idle receive timeout (protocol-core §4.7): 30 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Close reason used when the idle timeout closes a link (with code 1000). */
export const IDLE_TIMEOUT_REASON = 'idle timeout';
/** How long `close()` waits for the peer's close frame before dropping the connection. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 5_000;

export interface WebSocketConnectorOptions {
  /**
   * Outbound bytes buffered (handed to the socket, not yet written out) above which `send()`
   * returns false; `drain()` resolves once they fall below it. The same amount bounds what is
   * buffered inbound before `start()`: beyond it the connector stops reading (Node), so the
   * peer feels back-pressure. Default 1 MiB.
   */
  readonly highWaterMark?: number;
  /**
   * Close the link (code 1000, reason `idle timeout`) when no message was received for this
   * long; checked every quarter of the period, so the close comes up to 25 % late.
   * 0 disables. Default 30 000 ms.
   */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
  /** Addresses for {@link ConnectorInfo}, as `host:port`. */
  readonly remoteAddress?: string;
  readonly localAddress?: string;
  /**
   * The TCP stream under a Node socket (the upgrade request's or response's `socket`): writes
   * of one event-loop turn are then batched into one. Absent: every message is its own write.
   */
  readonly stream?: CorkableStream;
}

interface LocalClose {
  readonly code: number;
  readonly reason: string;
  readonly error?: Error;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A {@link Connector} over one open WebSocket: a Node `ws` socket or a browser `WebSocket`
 * (the platform is detected from the socket; only a small edge differs).
 *
 * - Every outbound message is one **binary** frame, sent as the bytes it was given (the fabric
 *   encodes each envelope once; strings are sent as their UTF-8 bytes).
 * - Inbound text and binary frames are both handed to the fabric as a **string**, except a
 *   binary frame that is not valid UTF-8: its bytes are handed over as they are, and the
 *   fabric's decoder refuses them with a coded INVALID_ENVELOPE (never a silent replacement).
 * - Inbound messages are buffered until {@link start}; a close that happens before `start` is
 *   reported by `start`, after the buffered messages.
 * - `send` returns false above the high-water mark; `drain` resolves below it.
 * - Close codes follow protocol-core §4.8: codes that may not appear on the wire are mapped
 *   (1005 → 1000; 1006, 1015 and other invalid codes → 1011) and reasons are cut to 123 bytes.
 *   For a local close, {@link CloseInfo} carries the code and reason actually sent.
 */
export class WebSocketConnector implements Connector, AsyncDisposable {
  readonly id: string;
  readonly info: ConnectorInfo;

  readonly #edge: SocketEdge;
  readonly #highWaterMark: number;
  readonly #parentLogger: Logger;
  #childLogger: Logger | undefined;
  #state: ConnectorState = 'open';
  #handlers: ConnectorHandlers | undefined;
  #inbox: WireMessage[] | undefined = [];
  #inboxBytes = 0;
  #paused = false;
  #local: LocalClose | undefined;
  #closeInfo: CloseInfo | undefined;
  #drainWaiters: Waiter[] = [];
  #closedWaiters: ((info: CloseInfo) => void)[] = [];
  #closeGuard: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #received = 0;

  /**
   * Wraps an **open** socket. Attach listeners happen here, so construct the connector in the
   * socket's `open` event (or the server's upgrade callback) to lose no message.
   * @throws ConnectorClosedError when the socket is not open
   */
  constructor(socket: PlatformSocket, options: WebSocketConnectorOptions = {}) {
    this.id = randomId();
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#parentLogger = options.logger ?? NOOP_LOGGER;
    this.info = {
      transport: 'websocket',
      ...(options.remoteAddress !== undefined && { remoteAddress: options.remoteAddress }),
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    };
    if (socket.readyState !== 1) throw new ConnectorClosedError('cannot wrap a WebSocket that is not open');
    const events: EdgeEvents = {
      message: (message) => this.#onMessage(message),
      flushed: () => this.#onFlushed(),
      failed: (code, error) => this.#onFailed(code, error),
      closed: (code, reason) => this.#onClosed(code, reason),
    };
    this.#edge = createSocketEdge(socket, events, options.stream);
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idleTimeoutMs > 0) this.#watchIdle(idleTimeoutMs);
  }

  get state(): ConnectorState {
    return this.#state === 'open' && !this.#edge.isOpen() ? 'closing' : this.#state;
  }

  start(handlers: ConnectorHandlers): void {
    if (this.#handlers !== undefined) throw new ConfigError(`WebSocket connector ${this.id} was already started`);
    this.#handlers = handlers;
    const inbox = this.#inbox ?? [];
    this.#inbox = undefined;
    for (const message of inbox) this.#deliver(handlers, message);
    if (this.#paused) {
      this.#paused = false;
      this.#edge.resume();
    }
    if (this.#closeInfo !== undefined) this.#notifyClose(handlers, this.#closeInfo);
  }

  send(message: WireMessage): boolean {
    if (this.#state !== 'open' || !this.#edge.isOpen()) {
      throw new ConnectorClosedError(`WebSocket connector ${this.id} is ${this.state}`, this.#closeInfo?.code);
    }
    this.#edge.send(message);
    return this.#edge.bufferedBytes < this.#highWaterMark;
  }

  drain(): Promise<void> {
    if (this.#state !== 'open' || !this.#edge.isOpen()) {
      return Promise.reject(new ConnectorClosedError(`WebSocket connector ${this.id} is ${this.state}`, this.#closeInfo?.code));
    }
    if (this.#edge.bufferedBytes < this.#highWaterMark) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#drainWaiters.push({ resolve, reject });
      this.#edge.watchFlush(true);
    });
  }

  async close(code: number = CLOSE_NORMAL, reason = ''): Promise<void> {
    // A peer-initiated close in progress (close frame received) is not ours to report as local.
    if (this.#state === 'open' && this.#edge.isOpen()) {
      const wireCode = wireCloseCode(code);
      const wireReason = wireCloseReason(reason);
      this.#beginClose({ code: wireCode, reason: wireReason });
      this.#edge.close(wireCode, wireReason);
      this.#closeGuard = setTimeout(() => this.#edge.terminate(), CLOSE_HANDSHAKE_TIMEOUT_MS);
      unref(this.#closeGuard);
    }
    await this.whenClosed();
  }

  /** Resolves with the close information once the link is closed (whether or not started). */
  whenClosed(): Promise<CloseInfo> {
    const info = this.#closeInfo;
    if (info !== undefined) return Promise.resolve(info);
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A child logger per connector, created when it first logs (most never do). */
  get #logger(): Logger {
    return (this.#childLogger ??= this.#parentLogger.child({ connectorId: this.id, transport: 'websocket' }));
  }

  #onMessage(message: WireMessage): void {
    this.#received++;
    const handlers = this.#handlers;
    if (handlers !== undefined) {
      this.#deliver(handlers, message);
      return;
    }
    const inbox = this.#inbox;
    if (inbox === undefined) return;
    inbox.push(message);
    this.#inboxBytes += typeof message === 'string' ? message.length : message.byteLength;
    if (!this.#paused && this.#inboxBytes >= this.#highWaterMark) {
      this.#paused = true;
      this.#edge.pause();
    }
  }

  #deliver(handlers: ConnectorHandlers, message: WireMessage): void {
    try {
      handlers.onMessage(message);
    } catch (error) {
      this.#logger.error({ err: error }, 'onMessage handler threw; handlers must not throw');
    }
  }

  #onFlushed(): void {
    if (this.#edge.bufferedBytes >= this.#highWaterMark) return;
    this.#edge.watchFlush(false);
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #onFailed(code: number, error: Error): void {
    this.#logger.warn({ err: error, code }, `closing WebSocket link: ${error.message}`);
    if (this.#state === 'open') this.#beginClose({ code, reason: wireCloseReason(error.message), error });
  }

  #beginClose(local: LocalClose): void {
    this.#state = 'closing';
    this.#local = local;
    this.#rejectDrains(local.code);
  }

  #rejectDrains(code: number): void {
    if (this.#drainWaiters.length === 0) return;
    this.#edge.watchFlush(false);
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    const error = new ConnectorClosedError(`WebSocket connector ${this.id} closed while waiting for drain`, code);
    for (const waiter of waiters) waiter.reject(error);
  }

  #onClosed(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#closeGuard);
    clearTimeout(this.#idleTimer);
    const local = this.#local;
    const info: CloseInfo =
      local === undefined
        ? { code, reason, initiator: 'remote' }
        : { code: local.code, reason: local.reason, initiator: 'local', ...(local.error !== undefined && { error: local.error }) };
    this.#closeInfo = info;
    this.#rejectDrains(info.code);
    this.#logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'WebSocket link closed');
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const resolve of waiters) resolve(info);
    if (this.#handlers !== undefined) this.#notifyClose(this.#handlers, info);
  }

  #notifyClose(handlers: ConnectorHandlers, info: CloseInfo): void {
    try {
      handlers.onClose(info);
    } catch (error) {
      this.#logger.error({ err: error }, 'onClose handler threw; handlers must not throw');
    }
  }

  #watchIdle(timeoutMs: number): void {
    const period = Math.max(1, Math.floor(timeoutMs / 4));
    let seen = this.#received;
    let quietTicks = 0;
    const tick = (): void => {
      if (this.#state !== 'open') return;
      if (this.#received !== seen) {
        seen = this.#received;
        quietTicks = 0;
      } else if (++quietTicks * period >= timeoutMs) {
        this.#logger.info({ idleTimeoutMs: timeoutMs }, 'closing idle WebSocket link');
        void this.close(CLOSE_NORMAL, IDLE_TIMEOUT_REASON);
        return;
      }
      this.#idleTimer = setTimeout(tick, period);
      unref(this.#idleTimer);
    };
    this.#idleTimer = setTimeout(tick, period);
    unref(this.#idleTimer);
  }
}
