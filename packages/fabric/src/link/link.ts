import {
  isResponse,
  BackPressureError,
  ConnectorClosedError,
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  serializeEnvelope,
  EnvelopeRejection,
  FlowFlags,
  isFameError,
  randomId,
  type CloseInfo,
  type Connector,
  type EncodeOptions,
  type FameEnvelope,
  type Logger,
  type WireMessage,
  utf8ByteLength,
} from '@naylence/core';
import { asError } from '../util/as-error.js';
import { lazyChild } from '../util/lazy-logger.js';
import { FLOW_WINDOW, ReceiveCredits, type Pending, type SendFlow } from './flow-control.js';
import { encodeForHop } from './wire-form.js';
import { stageContext, thrownRejection, type LinkOptions, type LinkPeer, type LinkSendOptions, type LinkStages } from './link-peer.js';

export type { LinkOptions };

export interface LinkHandler {
  /**
   * An envelope arrived (and passed the inbound security stage). Return a promise to hold the
   * sender's credit for this envelope's flow until it settles (back-pressure); return nothing
   * to accept it at once. Must not throw.
   */
  onEnvelope(envelope: FameEnvelope, link: Link): void | Promise<unknown>;
  /**
   * A security stage refused an envelope: one that arrived (`inbound`), or one being forwarded
   * (`outbound`; a refused envelope this node originated rejects its `send` instead). The
   * handler logs it or NACKs it as `rejection.action` says.
   */
  onRejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void;
  onClose(info: CloseInfo, link: Link): void;
}

/**
 * What `Link.send` returns when the envelope went out at once. Callers on hot paths compare
 * against it to skip promise bookkeeping.
 */
export const SENT: Promise<void> = Promise.resolve();

/**
 * The fabric's side of one {@link Connector}, written once for every transport: the node's
 * security stages, the envelope codec, and per-flow credit flow control (protocol-core §6.1).
 * Every envelope that crosses a link passes here, so this is where the inbound and outbound
 * security stages run, exactly once per envelope per hop (CreditUpdates, which are link-level,
 * excepted).
 *
 * - Outbound, `send` runs the outbound stage, assigns `flowId` (when absent), `seqId` and the
 *   `SYN` flag per flow, encodes the envelope once (to bytes, or to text for an in-process
 *   transport: see `ConnectorInfo.messageForm`), waits for credit and for the
 *   transport's buffer, keeps per-flow order, and fails with a typed `BACK_PRESSURE` error past
 *   a bounded queue (counted in envelopes and in bytes).
 * - Inbound, `CreditUpdate` frames are applied the moment they arrive, never queued behind
 *   other envelopes, so request/reply traffic cannot deadlock on credits. Other envelopes pass
 *   the inbound stage, then the handler; credits are granted back once it accepted them.
 */
export class Link {
  readonly id: string;
  readonly connector: Connector;
  /** Who is at the other end (role, system id, path, principal). */
  readonly peer: LinkPeer;
  /** Flow of envelopes we originate on this link. */
  readonly flowId = randomId();
  /** Flow of replies we originate on this link. */
  readonly replyFlowId = randomId();
  readonly logger: Logger;
  readonly #handler: LinkHandler;
  readonly #stages: LinkStages | undefined;
  /** The transport carries text (in-process): no bytes to encode. */
  readonly #text: boolean;
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

  constructor(connector: Connector, peer: LinkPeer, handler: LinkHandler, options: LinkOptions) {
    this.connector = connector;
    this.id = connector.id;
    this.peer = peer;
    this.#text = connector.info.messageForm === 'text';
    this.#handler = handler;
    this.#stages = options.stages !== undefined && (options.stages.inbound || options.stages.outbound) ? options.stages : undefined;
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
   * Send one envelope: outbound security stage, then flow control. The envelope goes out with
   * this hop's `flowId` (its own, or one of the link's), `seqId` and `flowFlags`; the object
   * itself is left as it was. Resolves once the envelope is handed to the transport (or, for a forwarded envelope
   * the outbound stage refused, once the refusal is handled).
   * @throws (rejects) ConnectorClosedError, BackPressureError, MessageTooLargeError,
   *   InvalidEnvelopeError; the stage's error when it refuses an envelope this node originated
   */
  send(envelope: FameEnvelope, options?: LinkSendOptions): Promise<void> {
    if (this.#closed !== undefined || this.connector.state !== 'open') return Promise.reject(this.#closedError());
    const stage = this.#stages?.outbound;
    if (stage === undefined) return this.#enqueue(envelope, options?.lane);
    const origin = options?.origin ?? 'local';
    let result;
    try {
      result = stage(envelope, stageContext(this.#stages!.node, origin, this.peer, isResponse(envelope), options?.inReplyTo));
    } catch (error) {
      return this.#afterOutbound(envelope, thrownRejection(error), options);
    }
    if (result instanceof Promise) {
      return result.then(
        (settled) => this.#afterOutbound(envelope, settled, options),
        (error: unknown) => this.#afterOutbound(envelope, thrownRejection(error), options),
      );
    }
    return this.#afterOutbound(envelope, result, options);
  }

  #afterOutbound(original: FameEnvelope, result: FameEnvelope | EnvelopeRejection, options: LinkSendOptions | undefined): Promise<void> {
    if (result instanceof EnvelopeRejection) {
      if ((options?.origin ?? 'local') === 'local') return Promise.reject(result.error);
      this.#handler.onRejected(original, result, 'outbound', this);
      return SENT;
    }
    if (this.#closed !== undefined || this.connector.state !== 'open') return Promise.reject(this.#closedError());
    return this.#enqueue(result, options?.lane);
  }

  #enqueue(envelope: FameEnvelope, lane: LinkSendOptions['lane']): Promise<void> {
    const flowId = envelope.flowId ?? ((lane ?? (isResponse(envelope) ? 'reply' : 'default')) === 'reply' ? this.replyFlowId : this.flowId);
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
    let message: WireMessage;
    try {
      const flags = (flow.seq === 0 ? FlowFlags.SYN : 0) | (reset ? FlowFlags.RESET : 0);
      message = encodeForHop(envelope, flowId, flow.seq, flags, this.#text, this.#encodeOptions);
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
      this.#transmit(flow, message);
      return SENT;
    }
    const bytes = typeof message === 'string' ? utf8ByteLength(message) : message.byteLength;
    return new Promise<void>((resolve, reject) => {
      flow.queue.push({ message, bytes, resolve, reject });
      this.#queued += 1;
      this.#queuedBytes += bytes;
      this.#backlog.add(flow);
    });
  }

  /** Close the link; queued sends fail with CONNECTOR_CLOSED. */
  close(code = 1000, reason = 'normal closure'): Promise<void> {
    return this.connector.close(code, reason);
  }

  #transmit(flow: SendFlow, message: WireMessage): void {
    if (this.#flowControl) flow.credits -= 1;
    let belowMark: boolean;
    try {
      belowMark = this.connector.send(message);
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
        this.#transmit(flow, item.message);
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
    const stage = this.#stages?.inbound;
    const accepted = stage === undefined ? this.#handle(envelope) : this.#inbound(stage, envelope);
    const flowId = envelope.flowId;
    if (flowId === undefined || !this.#flowControl) return;
    const reset = ((envelope.flowFlags ?? 0) & FlowFlags.RESET) !== 0;
    if (accepted instanceof Promise) {
      const done = () => this.#consumed(flowId, reset);
      accepted.then(done, done);
    } else this.#consumed(flowId, reset);
  }

  #handle(envelope: FameEnvelope): void | Promise<unknown> {
    try {
      return this.#handler.onEnvelope(envelope, this);
    } catch (error) {
      this.logger.error(
        { err: error, envelopeId: envelope.id, frameType: envelope.frame.type },
        'envelope handler threw; envelope dropped',
      );
      return undefined;
    }
  }

  #inbound(stage: NonNullable<LinkStages['inbound']>, envelope: FameEnvelope): void | Promise<unknown> {
    let result;
    try {
      result = stage(envelope, stageContext(this.#stages!.node, this.peer.role, this.peer, isResponse(envelope), undefined));
    } catch (error) {
      return this.#afterInbound(envelope, thrownRejection(error));
    }
    if (result instanceof Promise) {
      return result.then(
        (settled) => this.#afterInbound(envelope, settled),
        (error: unknown) => this.#afterInbound(envelope, thrownRejection(error)),
      );
    }
    return this.#afterInbound(envelope, result);
  }

  #afterInbound(original: FameEnvelope, result: FameEnvelope | EnvelopeRejection): void | Promise<unknown> {
    if (!(result instanceof EnvelopeRejection)) return this.#handle(result);
    this.#handler.onRejected(original, result, 'inbound', this);
    return undefined;
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
      this.connector.send(this.#text ? serializeEnvelope(update) : encodeEnvelope(update));
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
