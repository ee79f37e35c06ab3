import {
  ConnectorClosedError,
  NOOP_LOGGER,
  scheduleMacrotask,
  type CloseInfo,
  type Connector,
  type ConnectorHandlers,
  type ConnectorInfo,
  type ConnectorState,
  type Logger,
  type WireMessage,
} from '@naylence/core';
import type { BusControl, BusMessage } from './bus-message.js';
import type { BusEndpoint, BusEndReceiver } from './bus-endpoint.js';

/** Default outbound high-water mark: 1 MiB sent and not yet taken by the peer's node. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/** Close code when a peer keeps sending far past the credit it was given (policy violation). */
const CLOSE_POLICY = 1008;
/** Close code when the page or worker of this end is going away. */
const CLOSE_GOING_AWAY = 1001;

export interface BusConnectorOptions {
  /**
   * Bytes sent and not yet handed to the peer's node above which `send()` returns false;
   * `drain()` resolves once the peer's acknowledgements bring them below. Default 1 MiB.
   */
  readonly highWaterMark?: number;
  /**
   * Bytes a peer may have waiting here (received, not yet handed to the node) before the link
   * is closed with 1008: a peer that honours back-pressure stays below its own high-water mark.
   * Default 4 × the larger of both ends' high-water marks.
   */
  readonly maxInboundBytes?: number;
  readonly logger?: Logger;
}

/** Who the two ends of a link are. */
export interface BusLinkIds {
  /** This end's id. */
  readonly id: string;
  /** This node's system id. */
  readonly nodeId: string;
  /** The other end's id. */
  readonly peerId: string;
  /** The other node's system id. */
  readonly peerNodeId: string;
  /** The other end's high-water mark, as it announced it (this end acknowledges every quarter of it). */
  readonly peerHighWaterMark?: number;
}

const sizeOf = (message: WireMessage): number => (typeof message === 'string' ? message.length : message.byteLength);

/**
 * One end of a link over a bus (in-page or BroadcastChannel): a core {@link Connector}.
 *
 * - Messages go out as bus messages addressed to the other end (`targetId`) and arrive in
 *   order; they are handed to the node a macrotask later, in batches, never inside the sender's
 *   call. Before `start()` they are buffered.
 * - Back-pressure is credit: the receiver acknowledges the bytes it handed to its node (every
 *   quarter of the sender's high-water mark), and `send()` returns false while the bytes not yet
 *   acknowledged are above the high-water mark. A receiver that is not started (or is gone)
 *   acknowledges nothing, so its sender feels it.
 * - `close(code, reason)` tells the other end, which reads what was already sent and then closes
 *   with the same code and reason (`initiator: 'remote'`). On `pagehide` the links of a page
 *   close with 1001; a peer that vanished without a word is detected by the fabric's heartbeats.
 */
export class BusConnector implements Connector, BusEndReceiver, AsyncDisposable {
  readonly id: string;
  readonly info: ConnectorInfo;
  readonly #ids: BusLinkIds;
  readonly #endpoint: BusEndpoint;
  readonly #highWaterMark: number;
  readonly #ackEvery: number;
  readonly #maxInbound: number;
  readonly #logger: Logger;
  readonly #onFinish: (() => void) | undefined;
  #state: ConnectorState = 'open';
  #handlers: ConnectorHandlers | undefined;
  #inbox: WireMessage[] = [];
  #inboxBytes = 0;
  #scheduled = false;
  #unacked = 0;
  #unackedDelivered = 0;
  #remoteClose: CloseInfo | undefined;
  #closed: CloseInfo | undefined;
  #closeNotified = false;
  #drainWaiters: { resolve(): void; reject(error: Error): void }[] = [];
  #closedWaiters: ((info: CloseInfo) => void)[] = [];

  /**
   * Registers itself with `endpoint` under `ids.id`; `onFinish` runs once it is closed (after
   * it left the endpoint).
   */
  constructor(endpoint: BusEndpoint, ids: BusLinkIds, options: BusConnectorOptions = {}, onFinish?: () => void) {
    this.id = ids.id;
    this.#ids = ids;
    this.#endpoint = endpoint;
    this.#highWaterMark = Math.max(1, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
    this.#ackEvery = Math.max(1, Math.floor((ids.peerHighWaterMark ?? this.#highWaterMark) / 4));
    this.#maxInbound = options.maxInboundBytes ?? 4 * Math.max(this.#highWaterMark, ids.peerHighWaterMark ?? 0);
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ connectorId: ids.id, transport: endpoint.transport, peer: ids.peerNodeId });
    this.#onFinish = onFinish;
    // Text crosses a bus without encoding (in-page: not even a copy), so the fabric hands us text.
    this.info = { transport: endpoint.transport, messageForm: 'text', localAddress: ids.nodeId, remoteAddress: ids.peerNodeId };
    endpoint.attach(ids.id, this);
  }

  get state(): ConnectorState {
    return this.#state;
  }

  start(handlers: ConnectorHandlers): void {
    if (this.#handlers !== undefined) throw new ConnectorClosedError(`bus link ${this.id} was already started`);
    this.#handlers = handlers;
    if (this.#closed !== undefined) this.#notifyClose(handlers, this.#closed);
    else this.#schedule();
  }

  send(message: WireMessage): boolean {
    if (this.#state !== 'open') throw new ConnectorClosedError(`bus link ${this.id} is ${this.#state}`, this.#closed?.code);
    this.#post({ payload: message });
    this.#unacked += sizeOf(message);
    return this.#unacked < this.#highWaterMark;
  }

  drain(): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(new ConnectorClosedError(`bus link ${this.id} is ${this.#state}`, this.#closed?.code));
    }
    if (this.#unacked < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.#state === 'open') {
      this.#post({ ctl: { type: 'close', code, reason } });
      this.#finish({ code, reason, initiator: 'local' });
    } else if (this.#remoteClose !== undefined) {
      // The peer closed first and its close waits behind undelivered messages: drop them.
      this.#finish(this.#remoteClose);
    }
    return this.whenClosed().then(() => undefined);
  }

  /** Resolves with the close information once the link is closed (whether or not started). */
  whenClosed(): Promise<CloseInfo> {
    const info = this.#closed;
    if (info !== undefined) return Promise.resolve(info);
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The page this end lives in is going away: close with 1001 (the other end reconnects, if it dials). */
  goingAway(): void {
    void this.close(CLOSE_GOING_AWAY, 'Going away');
  }

  /** A message from the bus addressed to this end. */
  receive(message: BusMessage): void {
    if (message.senderId !== this.#ids.peerId) {
      // A second listener accepted our dial too: tell it to let go of its end.
      if (message.ctl?.type === 'accept') this.#postTo(message, { type: 'close', code: 1000, reason: 'accepted elsewhere' });
      return;
    }
    if (this.#state === 'closed') return;
    if (message.payload !== undefined) {
      if (this.#remoteClose !== undefined) return;
      this.#inbox.push(message.payload);
      this.#inboxBytes += sizeOf(message.payload);
      if (this.#inboxBytes > this.#maxInbound) {
        this.#logger.warn({ inboundBytes: this.#inboxBytes }, 'peer ignores back-pressure; closing the link');
        void this.close(CLOSE_POLICY, 'back-pressure ignored');
        return;
      }
      this.#schedule();
      return;
    }
    const ctl = message.ctl;
    if (ctl?.type === 'ack') {
      this.#unacked = Math.max(0, this.#unacked - ctl.bytes);
      if (this.#unacked < this.#highWaterMark) this.#releaseDrains();
    } else if (ctl?.type === 'close' && this.#remoteClose === undefined) {
      // Read what was sent before the close, then close.
      this.#remoteClose = { code: ctl.code, reason: ctl.reason, initiator: 'remote' };
      this.#state = 'closing';
      this.#rejectDrains(ctl.code);
      this.#schedule();
    }
  }

  #post(body: Pick<BusMessage, 'payload' | 'ctl'>): void {
    const ids = this.#ids;
    this.#endpoint.post({ senderId: ids.id, senderNodeId: ids.nodeId, targetNodeId: ids.peerNodeId, targetId: ids.peerId, ...body });
  }

  #postTo(sender: BusMessage, ctl: BusControl): void {
    const ids = this.#ids;
    this.#endpoint.post({ senderId: ids.id, senderNodeId: ids.nodeId, targetNodeId: sender.senderNodeId, targetId: sender.senderId, ctl });
  }

  #schedule(): void {
    if (this.#scheduled || this.#handlers === undefined) return;
    this.#scheduled = true;
    scheduleMacrotask(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const handlers = this.#handlers;
    if (handlers === undefined) return;
    const batch = this.#inbox;
    this.#inbox = [];
    this.#inboxBytes = 0;
    let bytes = 0;
    for (const message of batch) {
      if (this.#closed !== undefined) return; // closed from a handler: the rest is dropped
      bytes += sizeOf(message);
      try {
        handlers.onMessage(message);
      } catch (error) {
        this.#logger.error({ err: error }, 'onMessage handler threw; handlers must not throw');
      }
    }
    this.#acknowledge(bytes);
    if (this.#remoteClose !== undefined && this.#inbox.length === 0) this.#finish(this.#remoteClose);
  }

  #acknowledge(bytes: number): void {
    this.#unackedDelivered += bytes;
    if (this.#unackedDelivered < this.#ackEvery || this.#state !== 'open') return;
    this.#post({ ctl: { type: 'ack', bytes: this.#unackedDelivered } });
    this.#unackedDelivered = 0;
  }

  #finish(info: CloseInfo): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#closed = info;
    this.#endpoint.detach(this.id, this);
    this.#rejectDrains(info.code);
    this.#logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'bus link closed');
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const resolve of waiters) resolve(info);
    // Whatever was not delivered yet is dropped (a remote close normally finishes once all was).
    this.#inbox = [];
    this.#inboxBytes = 0;
    if (this.#handlers !== undefined) this.#notifyClose(this.#handlers, info);
    this.#onFinish?.();
  }

  #notifyClose(handlers: ConnectorHandlers, info: CloseInfo): void {
    if (this.#closeNotified) return;
    this.#closeNotified = true;
    try {
      handlers.onClose(info);
    } catch (error) {
      this.#logger.error({ err: error }, 'onClose handler threw; handlers must not throw');
    }
  }

  #releaseDrains(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #rejectDrains(code: number): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    const error = new ConnectorClosedError(`bus link ${this.id} closed`, code);
    for (const waiter of waiters) waiter.reject(error);
  }
}
