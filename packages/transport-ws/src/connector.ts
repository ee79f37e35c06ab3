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
import { formatAddress, type CorkableStream, type EdgeEvents, type SocketEdge } from './platform/edge.js';
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
   * long; checked every quarter of the period (one timer per timeout value for every connector
   * of the process), so the close comes up to 25 % late.
   * 0 disables. Default 30 000 ms.
   */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
  /** Addresses for {@link ConnectorInfo}, as `host:port`. */
  readonly remoteAddress?: string;
  readonly localAddress?: string;
  /**
   * The TCP socket whose remote end is `info.remoteAddress`, formatted only when asked for
   * (instead of `remoteAddress`: an accepting listener holds thousands of connectors).
   */
  readonly peerSocket?: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined };
  /**
   * The TCP stream under a Node socket (the upgrade request's or response's `socket`): writes
   * of one event-loop turn are then batched into one. Absent: every message is its own write.
   */
  readonly stream?: CorkableStream;
  /** Called once when the connector is closed, before `whenClosed` resolves (a listener forgets it). */
  readonly onClosed?: (connector: WebSocketConnector) => void;
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
  readonly info: ConnectorInfo;

  readonly #edge: SocketEdge;
  readonly #highWaterMark: number;
  readonly #parentLogger: Logger;
  readonly #onClosedHook: ((connector: WebSocketConnector) => void) | undefined;
  #childLogger: Logger | undefined;
  #id: string | undefined;
  #state: ConnectorState = 'open';
  #handlers: ConnectorHandlers | undefined;
  #inbox: WireMessage[] | undefined;
  #inboxBytes = 0;
  #paused = false;
  #local: LocalClose | undefined;
  #closeInfo: CloseInfo | undefined;
  // Created when first needed: most links never wait for a drain, and few callers await the close.
  #drainWaiters: Waiter[] | undefined;
  #closedWaiters: ((info: CloseInfo) => void)[] | undefined;
  #closeGuard: ReturnType<typeof setTimeout> | undefined;
  #received = 0;
  /** Idle watch: `#received` at the last sweep, and sweeps since it last changed. */
  #idleSeen = 0;
  #quietSweeps = 0;

  /**
   * Idle timeouts of every connector in the process, by timeout: one timer per distinct timeout
   * sweeps its connectors every quarter period (a timer per connector cost memory and CPU per link).
   */
  static readonly #idle = new Map<number, { readonly members: Set<WebSocketConnector>; readonly timer: ReturnType<typeof setInterval> }>();

  /** What the platform edge reports, forwarded to the connector (one small object per link, no closures). */
  static readonly #Events = class ConnectorEvents implements EdgeEvents {
    constructor(readonly connector: WebSocketConnector) {}
    message(message: WireMessage): void {
      this.connector.#onMessage(message);
    }
    flushed(): void {
      this.connector.#onFlushed();
    }
    failed(code: number, error: Error): void {
      this.connector.#onFailed(code, error);
    }
    closed(code: number, reason: string): void {
      this.connector.#onClosed(code, reason);
    }
  };

  /**
   * Wraps an **open** socket. Attach listeners happen here, so construct the connector in the
   * socket's `open` event (or the server's upgrade callback) to lose no message.
   * @throws ConnectorClosedError when the socket is not open
   */
  constructor(socket: PlatformSocket, options: WebSocketConnectorOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#parentLogger = options.logger ?? NOOP_LOGGER;
    this.#onClosedHook = options.onClosed;
    this.info =
      options.peerSocket !== undefined
        ? new PeerSocketInfo(options.peerSocket)
        : {
            transport: 'websocket',
            ...(options.remoteAddress !== undefined && { remoteAddress: options.remoteAddress }),
            ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
          };
    if (socket.readyState !== 1) throw new ConnectorClosedError('cannot wrap a WebSocket that is not open');
    const events = new WebSocketConnector.#Events(this);
    this.#edge = createSocketEdge(socket, events, options.stream);
    const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idleTimeoutMs > 0) WebSocketConnector.#watchIdle(this, idleTimeoutMs);
  }

  /** Unique id of this link end, for logs (a random id, made when first asked for). */
  get id(): string {
    return (this.#id ??= randomId());
  }

  get state(): ConnectorState {
    return this.#state === 'open' && !this.#edge.isOpen() ? 'closing' : this.#state;
  }

  start(handlers: ConnectorHandlers): void {
    if (this.#handlers !== undefined) throw new ConfigError(`WebSocket connector ${this.id} was already started`);
    this.#handlers = handlers;
    const inbox = this.#inbox;
    this.#inbox = undefined;
    if (inbox !== undefined) for (const message of inbox) this.#deliver(handlers, message);
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
      (this.#drainWaiters ??= []).push({ resolve, reject });
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
    return new Promise((resolve) => (this.#closedWaiters ??= []).push(resolve));
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
    (this.#inbox ??= []).push(message);
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
    this.#drainWaiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.resolve();
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
    const waiters = this.#drainWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    this.#edge.watchFlush(false);
    this.#drainWaiters = undefined;
    const error = new ConnectorClosedError(`WebSocket connector ${this.id} closed while waiting for drain`, code);
    for (const waiter of waiters) waiter.reject(error);
  }

  #onClosed(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#closeGuard);
    WebSocketConnector.#unwatchIdle(this);
    const local = this.#local;
    const info: CloseInfo =
      local === undefined
        ? { code, reason, initiator: 'remote' }
        : { code: local.code, reason: local.reason, initiator: 'local', ...(local.error !== undefined && { error: local.error }) };
    this.#closeInfo = info;
    this.#rejectDrains(info.code);
    this.#logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'WebSocket link closed');
    this.#onClosedHook?.(this);
    const waiters = this.#closedWaiters;
    this.#closedWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve(info);
    if (this.#handlers !== undefined) this.#notifyClose(this.#handlers, info);
  }

  #notifyClose(handlers: ConnectorHandlers, info: CloseInfo): void {
    try {
      handlers.onClose(info);
    } catch (error) {
      this.#logger.error({ err: error }, 'onClose handler threw; handlers must not throw');
    }
  }

  static #watchIdle(connector: WebSocketConnector, timeoutMs: number): void {
    let group = WebSocketConnector.#idle.get(timeoutMs);
    if (group === undefined) {
      const timer = setInterval(() => WebSocketConnector.#sweepIdle(timeoutMs), Math.max(1, Math.floor(timeoutMs / 4)));
      unref(timer);
      group = { members: new Set(), timer };
      WebSocketConnector.#idle.set(timeoutMs, group);
    }
    connector.#idleSeen = connector.#received;
    group.members.add(connector);
  }

  static #unwatchIdle(connector: WebSocketConnector): void {
    for (const [timeoutMs, group] of WebSocketConnector.#idle) {
      if (!group.members.delete(connector) || group.members.size > 0) continue;
      clearInterval(group.timer);
      WebSocketConnector.#idle.delete(timeoutMs);
    }
  }

  /** Closes (code 1000, `idle timeout`) the connectors that received nothing for `timeoutMs`. */
  static #sweepIdle(timeoutMs: number): void {
    const group = WebSocketConnector.#idle.get(timeoutMs);
    if (group === undefined) return;
    const period = Math.max(1, Math.floor(timeoutMs / 4));
    for (const connector of group.members) {
      if (connector.#state !== 'open') continue;
      if (connector.#received !== connector.#idleSeen) {
        connector.#idleSeen = connector.#received;
        connector.#quietSweeps = 0;
      } else if (++connector.#quietSweeps * period >= timeoutMs) {
        connector.#logger.info({ idleTimeoutMs: timeoutMs }, 'closing idle WebSocket link');
        void connector.close(CLOSE_NORMAL, IDLE_TIMEOUT_REASON);
      }
    }
  }
}

/** {@link ConnectorInfo} of an accepted socket: the remote address is formatted when read (logs), never kept. */
class PeerSocketInfo implements ConnectorInfo {
  readonly transport = 'websocket';
  readonly #socket: NonNullable<WebSocketConnectorOptions['peerSocket']>;
  constructor(socket: NonNullable<WebSocketConnectorOptions['peerSocket']>) {
    this.#socket = socket;
  }
  get remoteAddress(): string {
    return formatAddress(this.#socket.remoteAddress, this.#socket.remotePort) ?? '';
  }
}
