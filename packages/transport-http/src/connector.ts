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
  type TokenProvider,
  type TransportAttachFields,
  type WireMessage,
} from '@naylence/core';
import { Pool, type Dispatcher } from 'undici';
import { CLOSE_NORMAL } from './http-status.js';
import { bytesOnly, OrderedInbox, type Arrival, type OfferResult } from './inbox.js';
import { HttpSender, type BusyRetryPolicy, type SenderStats } from './sender.js';

/** Default unacknowledged outbound bytes above which `send()` returns false: 1 MiB. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** Default requests in flight per link towards a receiver that orders them (ours). */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/** Default receive queue: messages a link holds before answering `429 receiver busy` (the reference's default). */
export const DEFAULT_RECEIVE_QUEUE = 1024;
/** Default receive queue in bytes. */
export const DEFAULT_RECEIVE_QUEUE_BYTES = 8 * 1024 * 1024;
/** Default idle receive timeout, as for WebSocket links (protocol-core §4.7): 30 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Default time allowed for a response: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default back-off after `429 receiver busy`: 5 ms doubling up to 1 s. */
export const DEFAULT_BUSY_RETRY: BusyRetryPolicy = { initialDelayMs: 5, maxDelayMs: 1_000 };
/** Close reason used when the idle timeout closes a link (with code 1000). */
export const IDLE_TIMEOUT_REASON = 'idle timeout';
/** How long `close()` waits for queued messages to be acknowledged, then for the close notice. */
const CLOSE_FLUSH_MS = 5_000;
const CLOSE_NOTICE_MS = 2_000;

/** Settings shared by every HTTP link end (dialer and listener options extend these). */
export interface HttpLinkOptions {
  /** Unacknowledged outbound bytes above which `send()` returns false. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Requests in flight at once towards a receiver that orders them (ours); others get one at a time. Default 32. */
  readonly maxInFlight?: number;
  /** Messages received and not yet taken by the node before requests are answered `429`. Default 1024. */
  readonly receiveQueue?: number;
  /** The same bound in bytes. Default 8 MiB. */
  readonly receiveQueueBytes?: number;
  /** Close links that receive nothing for this long (code 1000, `idle timeout`); 0 disables. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Time allowed for each response. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Back-off after `429 receiver busy`. Default 5 ms doubling up to 1 s. */
  readonly busyRetry?: BusyRetryPolicy;
  /** An undici dispatcher for outbound requests (proxy, TLS settings); default: one keep-alive `Pool` per link. */
  readonly dispatcher?: Dispatcher;
}

/** The {@link HttpLinkOptions} members of `options` (which may carry more). */
export function linkOptionsOf(options: HttpLinkOptions): HttpLinkOptions {
  const keys = [
    'highWaterMark',
    'maxInFlight',
    'receiveQueue',
    'receiveQueueBytes',
    'idleTimeoutMs',
    'requestTimeoutMs',
    'busyRetry',
    'dispatcher',
  ] as const satisfies readonly (keyof HttpLinkOptions)[];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

/** What the dialer or listener that creates a connector tells it. @internal */
export interface HttpConnectorInit extends HttpLinkOptions {
  /** Where this end POSTs. */
  readonly url: URL;
  readonly tokenProvider?: TokenProvider | undefined;
  readonly headerName?: string | undefined;
  /** Link id of our ordering extension: the child's, used by both ends; absent for reference peers. */
  readonly linkId?: string | undefined;
  /** The peer sent `x-fame-link` itself, so it orders our requests too (the parent's end of our child's link). */
  readonly peerOrdered?: boolean | undefined;
  readonly logger?: Logger;
  readonly remoteAddress?: string | undefined;
  /** NodeAttach members of a dialed link (its callback grant), for the fabric to add. */
  readonly attachFields?: TransportAttachFields | undefined;
  /** Called once when the connector is closed, to forget it. */
  readonly onClosed?: ((connector: HttpConnector) => void) | undefined;
}

type MessageArrival = Arrival & { readonly kind: 'message' };

interface Waiter {
  resolve(info: CloseInfo): void;
}

/**
 * A {@link Connector} over two streams of HTTP requests (protocol-core §4.9): every outbound
 * message is one POST to the peer (through {@link HttpSender}), every inbound message one
 * POST that the peer made to our listener, which hands it to {@link offer}.
 *
 * - Inbound messages are handed to the fabric as the request's bytes, in the sender's order,
 *   buffered until {@link start}; past the receive queue a request is answered 429.
 * - `send` returns false above the high-water mark of unacknowledged bytes; `drain` resolves
 *   below it. A `429` from the peer is retried, not lost.
 * - `close(code, reason)` sends what is queued, then tells a peer of ours with a `DELETE` so
 *   its end closes too (`initiator: 'remote'`, same code and reason). Reference peers have no
 *   such notice: their end lives until it is replaced or times out, as with the reference.
 * - A non-2xx answer other than 429 closes the link with a code from the status (1008 for
 *   401/403, 1009 for 413, 1002 for other 4xx, 1011 for 5xx) and an `HttpStatusError`; a
 *   network failure closes it with 1006.
 */
export class HttpConnector implements Connector, AsyncDisposable {
  readonly id: string;
  readonly info: ConnectorInfo;
  /** Our link id (`x-fame-link`), if the link uses the ordering extension. */
  readonly linkId: string | undefined;

  readonly #sender: HttpSender;
  readonly #inbox: OrderedInbox;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #logger: Logger;
  readonly #receiveQueue: number;
  readonly #receiveQueueBytes: number;
  readonly #onClosed: ((connector: HttpConnector) => void) | undefined;
  readonly #attachFields: TransportAttachFields | undefined;
  #state: ConnectorState = 'open';
  #handlers: ConnectorHandlers | undefined;
  #buffered: MessageArrival[] = [];
  #inboxBytes = 0;
  #closeInfo: CloseInfo | undefined;
  #closing: Promise<void> | undefined;
  #closedWaiters: Waiter[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastReceivedAt = Date.now();

  /** @internal Created by `HttpDialer` and `HttpListener`. */
  constructor(init: HttpConnectorInit) {
    this.id = randomId();
    this.linkId = init.linkId;
    this.#logger = (init.logger ?? NOOP_LOGGER).child({ connectorId: this.id, transport: 'http' });
    // Bytes: a request body is sent as given, so the fabric encodes each envelope once, to bytes.
    this.info = { transport: 'http', messageForm: 'bytes', ...(init.remoteAddress !== undefined && { remoteAddress: init.remoteAddress }) };
    this.#receiveQueue = init.receiveQueue ?? DEFAULT_RECEIVE_QUEUE;
    this.#receiveQueueBytes = init.receiveQueueBytes ?? DEFAULT_RECEIVE_QUEUE_BYTES;
    this.#attachFields = init.attachFields;
    this.#onClosed = init.onClosed;
    const maxInFlight = Math.max(1, init.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.#ownsDispatcher = init.dispatcher === undefined;
    this.#dispatcher = init.dispatcher ?? new Pool(init.url.origin, { connections: 1, pipelining: maxInFlight });
    this.#sender = new HttpSender({
      url: init.url,
      dispatcher: this.#dispatcher,
      tokenProvider: init.tokenProvider,
      headerName: init.headerName,
      linkId: init.linkId,
      ordered: init.peerOrdered,
      maxInFlight,
      highWaterMark: init.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
      requestTimeoutMs: init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      retry: init.busyRetry ?? DEFAULT_BUSY_RETRY,
      logger: this.#logger,
      onFatal: (code, reason, error) => this.#finish({ code, reason, initiator: 'local', error }),
    });
    this.#inbox = new OrderedInbox(
      {
        hasRoom: (bytes) => this.#hasRoom(bytes),
        deliver: (arrival) => this.#deliver(arrival),
      },
      maxInFlight * 4,
    );
    const idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idleTimeoutMs > 0) this.#watchIdle(idleTimeoutMs);
  }

  get state(): ConnectorState {
    return this.#state;
  }

  /** Requests sent so far, how many the peer answered `429 receiver busy` (each retried later), how many it accepted. */
  get stats(): SenderStats {
    return this.#sender.stats;
  }

  start(handlers: ConnectorHandlers): void {
    if (this.#handlers !== undefined) throw new ConfigError(`HTTP connector ${this.id} was already started`);
    this.#handlers = handlers;
    const buffered = this.#buffered;
    this.#buffered = [];
    this.#inboxBytes = 0;
    for (const arrival of buffered) this.#hand(handlers, arrival);
    const info = this.#closeInfo;
    if (info !== undefined) this.#guard('onClose', () => handlers.onClose(info));
  }

  /**
   * Takes ownership of `message`: it is the body of one POST, sent (and re-sent after a `429`)
   * as given, never copied.
   */
  send(message: WireMessage): boolean {
    if (this.#state !== 'open') throw new ConnectorClosedError(`HTTP connector ${this.id} is ${this.#state}`, this.#closeInfo?.code);
    return this.#sender.enqueue(message);
  }

  /** A dialed link's callback grant (`callbackGrants`), which its NodeAttach must carry; nothing for an accepted link. */
  attachFields(): TransportAttachFields {
    return this.#attachFields ?? {};
  }

  drain(): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(new ConnectorClosedError(`HTTP connector ${this.id} is ${this.#state}`, this.#closeInfo?.code));
    }
    return this.#sender.drain();
  }

  close(code: number = CLOSE_NORMAL, reason = ''): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      this.#closing = this.#closeLocally(code, reason);
    }
    return this.#closing ?? this.whenClosed().then(() => undefined);
  }

  /** Resolves with the close information once the link is closed (whether or not started). */
  whenClosed(): Promise<CloseInfo> {
    const info = this.#closeInfo;
    if (info !== undefined) return Promise.resolve(info);
    return new Promise((resolve) => this.#closedWaiters.push({ resolve }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * @internal One request the peer made to our listener for this link: a message or the close
   * notice, with its `x-fame-seq` when the peer sent one.
   */
  offer(seq: number | undefined, arrival: Arrival): OfferResult {
    if (this.#state === 'closed') return 'duplicate';
    this.#lastReceivedAt = Date.now();
    return this.#inbox.offer(seq, arrival);
  }

  /** @internal Closes at once, sending nothing more (a link whose peer never accepted a request). */
  terminate(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#finish({ code, reason, initiator: 'local' });
  }

  async #closeLocally(code: number, reason: string): Promise<void> {
    await this.#sender.flush(CLOSE_FLUSH_MS);
    if (this.#closeInfo === undefined) await this.#sender.sendClose(code, reason, CLOSE_NOTICE_MS);
    this.#finish({ code, reason, initiator: 'local' });
    await this.whenClosed();
  }

  #hasRoom(bytes: number): boolean {
    if (this.#handlers !== undefined) return true;
    return this.#buffered.length < this.#receiveQueue && this.#inboxBytes + bytes <= this.#receiveQueueBytes;
  }

  #deliver(arrival: Arrival): void {
    if (arrival.kind === 'close') {
      this.#logger.debug({ code: arrival.code, reason: arrival.reason }, 'peer closed the HTTP link');
      if (this.#state === 'open') this.#finish({ code: arrival.code, reason: arrival.reason, initiator: 'remote' });
      return;
    }
    const handlers = this.#handlers;
    if (handlers !== undefined) {
      this.#hand(handlers, arrival);
      return;
    }
    this.#buffered.push(bytesOnly(arrival));
    this.#inboxBytes += arrival.bytes;
  }

  /** Hands one message to the node, with the envelope the ingress decoded from it (not decoded twice). */
  #hand(handlers: ConnectorHandlers, arrival: MessageArrival): void {
    try {
      handlers.onMessage(arrival.message, arrival.envelope);
    } catch (error) {
      this.#logger.error({ err: error }, 'onMessage handler threw; handlers must not throw');
    }
  }

  /** Runs a handler callback; one that throws (they must not) is logged, never propagated into the ingress. */
  #guard(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#logger.error({ err: error }, `${name} handler threw; handlers must not throw`);
    }
  }

  #finish(info: CloseInfo): void {
    if (this.#closeInfo !== undefined) return;
    this.#state = 'closed';
    this.#closeInfo = info;
    clearTimeout(this.#idleTimer);
    this.#sender.stop(new ConnectorClosedError(`HTTP connector ${this.id} closed`, info.code));
    if (this.#ownsDispatcher) this.#dispatcher.destroy().catch(() => undefined);
    this.#logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'HTTP link closed');
    this.#onClosed?.(this);
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const waiter of waiters) waiter.resolve(info);
    const handlers = this.#handlers;
    if (handlers !== undefined) this.#guard('onClose', () => handlers.onClose(info));
  }

  /** One timer, re-armed for the time left since the last request arrived: closes exactly when the link has been idle that long. */
  #watchIdle(timeoutMs: number): void {
    const check = (): void => {
      if (this.#state !== 'open') return;
      const idle = Date.now() - this.#lastReceivedAt;
      if (idle >= timeoutMs) {
        this.#logger.info({ idleTimeoutMs: timeoutMs }, 'closing idle HTTP link');
        void this.close(CLOSE_NORMAL, IDLE_TIMEOUT_REASON);
        return;
      }
      this.#idleTimer = setTimeout(check, timeoutMs - idle).unref();
    };
    this.#idleTimer = setTimeout(check, timeoutMs).unref();
  }
}
