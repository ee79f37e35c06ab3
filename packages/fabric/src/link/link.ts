import {
  BackPressureError,
  ConnectorClosedError,
  createEnvelope,
  decodeEnvelope,
  FlowFlags,
  isFameError,
  randomId,
  serializeEnvelope,
  utf8ByteLength,
  type CloseInfo,
  type Connector,
  type EncodeOptions,
  type FameEnvelope,
  type Logger,
  type WireMessage,
  lazyChild,
} from '@naylence/core';
import { FLOW_WINDOW, ReceiveCredits } from './flow-control.js';
import { asError } from '../util/as-error.js';

/**
 * Which of the link's own flows an envelope that has no `flowId` yet travels on. Replies
 * (acks, RPC results, control acks) get their own flow, so a peer that withholds credit for
 * our requests (because its inbox is full) can never hold back the replies it is waiting for.
 * `FameNode.send` picks `reply` for responses by itself (see `isResponse`).
 */
export type Lane = 'default' | 'reply';

export interface SendOptions {
  readonly lane?: Lane;
}

export interface LinkHandler {
  /**
   * An envelope arrived. Return a promise to hold the sender's credit for this envelope's flow
   * until it settles (back-pressure); return nothing to accept it at once. Must not throw.
   */
  onEnvelope(envelope: FameEnvelope, link: Link): void | Promise<unknown>;
  onClose(info: CloseInfo, link: Link): void;
}

export interface LinkOptions {
  readonly logger: Logger;
  /** Largest envelope sent or accepted, in bytes. Default 256 KiB. */
  readonly maxEnvelopeBytes?: number;
  /** Envelopes that may wait for credit or for the transport before `send` fails with BACK_PRESSURE. Default 4096. */
  readonly maxQueuedEnvelopes?: number;
  /** Bytes that may wait likewise. Default 32 MiB. */
  readonly maxQueuedBytes?: number;
  /** False disables credit flow control (no waiting, no CreditUpdates), like `FAME_FLOW_CONTROL=0`. Default true. */
  readonly flowControl?: boolean;
}

interface Pending {
  readonly text: string;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface SendFlow {
  readonly id: string;
  credits: number;
  seq: number;
  queue: Pending[];
  head: number;
  /** A queued envelope carries RESET: forget the flow once the queue is sent. */
  resetPending: boolean;
}

/**
 * What `Link.send` returns when the envelope went out at once. Callers on hot paths compare
 * against it to skip promise bookkeeping.
 */
export const SENT: Promise<void> = Promise.resolve();

/**
 * The fabric's side of one {@link Connector}: envelope codec plus per-flow credit flow control
 * (protocol-core §6.1), written once for every transport.
 *
 * - Outbound, `send` assigns `flowId` (when absent), `seqId` and the `SYN` flag per flow,
 *   waits for credit and for the transport's buffer, keeps per-flow order, and fails with a
 *   typed `BACK_PRESSURE` error past a bounded queue.
 * - Inbound, `CreditUpdate` frames are applied the moment they arrive, never queued behind
 *   other envelopes, so request/reply traffic cannot deadlock on credits. Credits are granted
 *   back once the handler accepted an envelope.
 */
export class Link {
  readonly id: string;
  readonly connector: Connector;
  /** Flow of envelopes we originate on this link. */
  readonly flowId = randomId();
  /** Flow of replies we originate on this link. */
  readonly replyFlowId = randomId();
  readonly logger: Logger;
  readonly #handler: LinkHandler;
  readonly #maxBytes: number | undefined;
  readonly #encodeOptions: EncodeOptions;
  readonly #maxQueued: number;
  readonly #maxQueuedBytes: number;
  readonly #flowControl: boolean;
  readonly #sendFlows = new Map<string, SendFlow>();
  readonly #backlog = new Set<SendFlow>();
  readonly #receive = new ReceiveCredits();
  #queued = 0;
  #queuedBytes = 0;
  #congested = false;
  #closed: CloseInfo | undefined;
  #invalidCount = 0;

  constructor(connector: Connector, handler: LinkHandler, options: LinkOptions) {
    this.connector = connector;
    this.id = connector.id;
    this.#handler = handler;
    this.logger = lazyChild(options.logger, { linkId: connector.id, transport: connector.info.transport });
    this.#maxBytes = options.maxEnvelopeBytes;
    // Envelopes go out with their own key order: ours are built in wire order, forwarded ones
    // keep the order their sender chose (as the reference forwards them).
    this.#encodeOptions =
      options.maxEnvelopeBytes === undefined ? { keyOrder: 'as-is' } : { keyOrder: 'as-is', maxBytes: options.maxEnvelopeBytes };
    this.#maxQueued = options.maxQueuedEnvelopes ?? 4096;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.#flowControl = options.flowControl ?? true;
  }

  /** Start receiving. */
  start(): void {
    this.connector.start({
      onMessage: (message) => this.#receiveMessage(message),
      onClose: (info) => this.#onClose(info),
    });
  }

  get isOpen(): boolean {
    return this.#closed === undefined && this.connector.state === 'open';
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closed;
  }

  /** Envelopes and bytes waiting for credit or for the transport. */
  get queued(): { envelopes: number; bytes: number } {
    return { envelopes: this.#queued, bytes: this.#queuedBytes };
  }

  /**
   * Send one envelope. Mutates its `flowId` (when absent), `seqId` and `flowFlags`, which are
   * per-link fields. Resolves once the envelope is handed to the transport.
   * @throws (rejects) ConnectorClosedError, BackPressureError, MessageTooLargeError, InvalidEnvelopeError
   */
  send(envelope: FameEnvelope, options?: SendOptions): Promise<void> {
    if (this.#closed !== undefined || this.connector.state !== 'open') return Promise.reject(this.#closedError());
    const flowId = (envelope.flowId ??= options?.lane === 'reply' ? this.replyFlowId : this.flowId);
    let flow = this.#sendFlows.get(flowId);
    const direct =
      !this.#congested && (flow === undefined || (flow.head === flow.queue.length && (flow.credits > 0 || !this.#flowControl)));
    if (!direct && (this.#queued >= this.#maxQueued || this.#queuedBytes >= this.#maxQueuedBytes)) {
      return Promise.reject(
        new BackPressureError(
          `link ${this.id}: ${this.#queued} envelopes (${this.#queuedBytes} bytes) already wait for credit or the transport`,
        ),
      );
    }
    if (flow === undefined) {
      flow = { id: flowId, credits: FLOW_WINDOW, seq: 0, queue: [], head: 0, resetPending: false };
      this.#sendFlows.set(flowId, flow);
    }
    const reset = ((envelope.flowFlags ?? 0) & FlowFlags.RESET) !== 0;
    envelope.seqId = flow.seq;
    envelope.flowFlags = (flow.seq === 0 ? FlowFlags.SYN : 0) | (reset ? FlowFlags.RESET : 0);
    let text: string;
    try {
      text = serializeEnvelope(envelope, this.#encodeOptions);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    flow.seq += 1;
    // A reset flow starts over (SYN, full window) the next time it is used.
    if (reset) {
      if (direct) this.#sendFlows.delete(flowId);
      else flow.resetPending = true;
    }
    if (direct) {
      this.#transmit(flow, text);
      return SENT;
    }
    return new Promise<void>((resolve, reject) => {
      const bytes = text.length;
      flow.queue.push({ text, bytes, resolve, reject });
      this.#queued += 1;
      this.#queuedBytes += bytes;
      this.#backlog.add(flow);
    });
  }

  /** Close the link; queued sends fail with CONNECTOR_CLOSED. */
  close(code = 1000, reason = 'normal closure'): Promise<void> {
    return this.connector.close(code, reason);
  }

  #transmit(flow: SendFlow, text: string): void {
    if (this.#flowControl) flow.credits -= 1;
    let belowMark: boolean;
    try {
      belowMark = this.connector.send(text);
    } catch (error) {
      this.logger.debug({ err: error }, 'transport refused a send');
      return;
    }
    if (!belowMark && !this.#congested) {
      this.#congested = true;
      this.connector.drain().then(
        () => {
          this.#congested = false;
          this.#pump();
        },
        () => {
          // the close handler fails whatever is still queued
        },
      );
    }
  }

  /** Sends what credit and the transport allow, round-robin across flows. */
  #pump(): void {
    while (!this.#congested && this.#backlog.size > 0) {
      let progressed = false;
      for (const flow of this.#backlog) {
        if (this.#congested) return;
        if (flow.credits <= 0 && this.#flowControl) continue;
        const item = flow.queue[flow.head]!;
        flow.queue[flow.head] = undefined as unknown as Pending;
        flow.head += 1;
        if (flow.head === flow.queue.length) {
          flow.queue = [];
          flow.head = 0;
          this.#backlog.delete(flow);
          if (flow.resetPending && this.#sendFlows.get(flow.id) === flow) this.#sendFlows.delete(flow.id);
        }
        this.#queued -= 1;
        this.#queuedBytes -= item.bytes;
        this.#transmit(flow, item.text);
        item.resolve();
        progressed = true;
      }
      if (!progressed) return;
    }
  }

  #receiveMessage(message: WireMessage): void {
    let envelope: FameEnvelope;
    try {
      envelope = decodeEnvelope(message, this.#maxBytes === undefined ? undefined : { maxBytes: this.#maxBytes });
    } catch (error) {
      this.#invalid(error, message);
      return;
    }
    const frame = envelope.frame;
    if (frame.type === 'CreditUpdate') {
      this.#addCredits(frame.flowId, frame.credits);
      return;
    }
    let accepted: void | Promise<unknown> = undefined;
    try {
      accepted = this.#handler.onEnvelope(envelope, this);
    } catch (error) {
      this.logger.error({ err: error, envelopeId: envelope.id, frameType: frame.type }, 'envelope handler threw; envelope dropped');
    }
    const flowId = envelope.flowId;
    if (flowId === undefined || !this.#flowControl) return;
    const reset = ((envelope.flowFlags ?? 0) & FlowFlags.RESET) !== 0;
    if (accepted instanceof Promise) {
      const done = () => this.#consumed(flowId, reset);
      accepted.then(done, done);
    } else this.#consumed(flowId, reset);
  }

  #consumed(flowId: string, reset: boolean): void {
    if (this.#closed) return;
    const grant = reset ? this.#receive.forget(flowId) : this.#receive.consumed(flowId);
    if (grant > 0) this.#sendCreditUpdate(flowId, grant);
    const evicted = this.#receive.evictIfFull();
    if (evicted !== undefined) this.#sendCreditUpdate(evicted.flowId, evicted.credits);
  }

  #addCredits(flowId: string, credits: number): void {
    const flow = this.#sendFlows.get(flowId);
    if (flow === undefined) return; // a flow we have not used (yet): it starts with a full window anyway
    flow.credits = Math.min(FLOW_WINDOW, flow.credits + credits);
    if (flow.credits > 0 && flow.head < flow.queue.length) this.#pump();
  }

  #sendCreditUpdate(flowId: string, credits: number): void {
    const update = createEnvelope({
      flowId,
      seqId: 0,
      flowFlags: FlowFlags.ACK,
      frame: { type: 'CreditUpdate', flowId, credits },
    });
    try {
      // Credit updates bypass credits and the transport's high-water mark: they are what
      // unblocks the peer.
      this.connector.send(serializeEnvelope(update));
    } catch (error) {
      this.logger.debug({ err: error }, 'could not send CreditUpdate');
    }
  }

  #invalid(error: unknown, message: WireMessage): void {
    this.#invalidCount += 1;
    const size = typeof message === 'string' ? utf8ByteLength(message) : message.byteLength;
    if (isFameError(error)) {
      this.logger.warn(
        { code: error.code, field: (error as { field?: string }).field, size, invalidCount: this.#invalidCount },
        `dropped an undecodable envelope: ${error.message}`,
      );
    } else {
      this.logger.error({ err: error, size }, 'dropped an envelope: unexpected decode failure');
    }
  }

  #onClose(info: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = info;
    const error = this.#closedError();
    for (const flow of this.#backlog) {
      for (let i = flow.head; i < flow.queue.length; i++) flow.queue[i]!.reject(error);
    }
    this.#backlog.clear();
    this.#sendFlows.clear();
    this.#queued = 0;
    this.#queuedBytes = 0;
    this.logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'link closed');
    this.#handler.onClose(info, this);
  }

  #closedError(): ConnectorClosedError {
    const info = this.#closed;
    if (info === undefined) return new ConnectorClosedError(`link ${this.id} is ${this.connector.state}`);
    return new ConnectorClosedError(`link ${this.id} is closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`, info.code);
  }
}
