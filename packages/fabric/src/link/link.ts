import {
  isResponse,
  ConnectorClosedError,
  createEnvelope,
  decodeEnvelope,
  DEFAULT_MAX_ENVELOPE_BYTES,
  encodeEnvelope,
  serializeEnvelope,
  EnvelopeRejection,
  FlowFlags,
  NOOP_LOGGER,
  randomId,
  type CloseInfo,
  type Connector,
  type ConnectorHandlers,
  type FameEnvelope,
  type Logger,
  type WireMessage,
} from '@naylence/core';
import { lazyChild } from '../util/lazy-logger.js';
import { ReceiveCredits } from './flow-control.js';
import { InboundGuard } from './inbound-guard.js';
import { SendQueue, SENT, type SendQueueSettings, type StallReason } from './send-queue.js';
import { KeyedStageOrder } from './stage-order.js';
import {
  sentAsResponse,
  stageContext,
  thrownRejection,
  type LinkOptions,
  type LinkPeer,
  type LinkSendOptions,
  type LinkStages,
} from './link-peer.js';

export type { LinkOptions };
export { SENT };

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
export class Link implements ConnectorHandlers {
  readonly connector: Connector;
  /** Who is at the other end (role, system id, path, principal). */
  readonly peer: LinkPeer;
  readonly logger: Logger;
  readonly #handler: LinkHandler;
  readonly #options: LinkOptions;
  readonly #stages: LinkStages | undefined;
  readonly #settings: LinkSettingsOf;
  readonly #sends: SendQueue;
  readonly #receive: ReceiveCredits;
  /** Created at the first undecodable message (most links never see one). */
  #guard: InboundGuard | undefined;
  /** Made at the first send / arrival: Data kept in order per address when stages answer with promises. */
  #outOrder: KeyedStageOrder | undefined;
  #inOrder: KeyedStageOrder | undefined;
  #flowId: string | undefined;
  #replyFlowId: string | undefined;
  #closed: CloseInfo | undefined;

  /**
   * @param logger the link's logger, when it is not `options.logger` (so that many links can
   *   share one options object)
   */
  constructor(connector: Connector, peer: LinkPeer, handler: LinkHandler, options: LinkOptions, logger: Logger = options.logger) {
    this.connector = connector;
    this.peer = peer;
    this.#handler = handler;
    this.#options = options;
    const settings = (this.#settings = settingsOf(options, connector.info.messageForm === 'text'));
    this.#stages = settings.stages;
    // (no bindings object at all, nor a connector id, when nothing is logged)
    this.logger = logger === NOOP_LOGGER ? logger : lazyChild(logger, { linkId: connector.id, transport: connector.info.transport });
    this.#receive = new ReceiveCredits(settings.queue.maxFlows);
    this.#sends = new SendQueue(this, settings.queue);
  }

  /** The connector's id, for logs and errors. */
  get id(): string {
    return this.connector.id;
  }

  /** Flow of envelopes we originate on this link (a random id, made when first used). */
  get flowId(): string {
    return (this.#flowId ??= randomId());
  }

  /** Flow of replies we originate on this link. */
  get replyFlowId(): string {
    return (this.#replyFlowId ??= randomId());
  }

  /** Start receiving. */
  start(): void {
    this.connector.start(this);
  }

  /**
   * ConnectorHandlers: one message arrived (called by the connector). A `decoded` envelope (the
   * transport decoded and validated it already) is used as it is, not decoded again, when the
   * message is within this link's envelope limit.
   */
  onMessage(message: WireMessage, decoded?: FameEnvelope): void {
    this.#receiveMessage(message, decoded);
  }

  /** ConnectorHandlers: the connector closed (called by the connector). */
  onClose(info: CloseInfo): void {
    this.#onClose(info);
  }

  get isOpen(): boolean {
    return this.#closed === undefined && this.connector.state === 'open';
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closed;
  }

  /** Envelopes and bytes waiting for credit or for the transport (`responses` of them are responses). */
  get queued(): { envelopes: number; bytes: number; responses: number } {
    return this.#sends.queued;
  }

  /** Flow state kept for this link: send flows and receive counters (bounded by `maxFlows` each). */
  get flowCounts(): { send: number; receive: number } {
    return { send: this.#sends.flowCount, receive: this.#receive.size };
  }

  /** Since when (ms since epoch) the send queue is full or the transport stopped draining; 0 = not stalled. */
  get stalledSince(): number {
    return this.#sends.stalledSince;
  }

  get stallReason(): StallReason | undefined {
    return this.#sends.stallReason;
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
    if (stage === undefined) return this.#enqueue(envelope, options);
    const origin = options?.origin ?? 'local';
    let result;
    try {
      result = stage(envelope, stageContext(this.#stages!.node, origin, this.peer, isResponse(envelope), options?.inReplyTo));
    } catch (error) {
      result = thrownRejection(error);
    }
    // Data to one address leaves in the order it was sent, whatever order the stages settle in.
    return (this.#outOrder ??= new KeyedStageOrder()).pass(dataKey(envelope, envelope.to), result, (settled) =>
      this.#afterOutbound(envelope, settled, options),
    );
  }

  /** Whether a forwarder should hold the sender's credit for `envelope` until it leaves (see `SendQueue.paces`). */
  paces(envelope: FameEnvelope): boolean {
    const flowId = envelope.flowId;
    return flowId !== undefined && this.#sends.paces(flowId);
  }

  #afterOutbound(original: FameEnvelope, result: FameEnvelope | EnvelopeRejection, options: LinkSendOptions | undefined): Promise<void> {
    if (result instanceof EnvelopeRejection) {
      if ((options?.origin ?? 'local') === 'local') return Promise.reject(result.error);
      this.#handler.onRejected(original, result, 'outbound', this);
      return SENT;
    }
    if (this.#closed !== undefined || this.connector.state !== 'open') return Promise.reject(this.#closedError());
    return this.#enqueue(result, options);
  }

  #enqueue(envelope: FameEnvelope, options: LinkSendOptions | undefined): Promise<void> {
    const response = sentAsResponse(envelope, options);
    return this.#sends.enqueue(envelope, envelope.flowId ?? (response ? this.replyFlowId : this.flowId), response);
  }

  /** Close the link; queued sends fail with CONNECTOR_CLOSED. */
  close(code = 1000, reason = 'normal closure'): Promise<void> {
    return this.connector.close(code, reason);
  }

  #receiveMessage(message: WireMessage, decoded: FameEnvelope | undefined): void {
    let envelope: FameEnvelope;
    try {
      envelope =
        decoded !== undefined && typeof message !== 'string' && message.byteLength <= this.#settings.maxBytes
          ? decoded
          : decodeEnvelope(message, this.#settings.decodeOptions);
    } catch (error) {
      const answerable = (this.#guard ??= new InboundGuard(this, this.#options)).undecodable(error, message);
      if (answerable !== undefined) this.#reject(answerable.envelope, answerable.rejection);
      return;
    }
    const frame = envelope.frame;
    if (frame.type === 'CreditUpdate') {
      this.#sends.addCredits(frame.flowId, frame.credits);
      return;
    }
    const stage = this.#stages?.inbound;
    this.#accepted(envelope, stage === undefined ? this.#handle(envelope) : this.#inbound(stage, envelope));
  }

  /** Credit for `envelope` goes back once `acceptance` settles (at once when there is none). */
  #accepted(envelope: FameEnvelope, acceptance: void | Promise<unknown>): void {
    const flowId = envelope.flowId;
    if (flowId === undefined || !this.#settings.queue.flowControl) return;
    const reset = ((envelope.flowFlags ?? 0) & FlowFlags.RESET) !== 0;
    if (acceptance instanceof Promise) {
      const done = () => this.#consumed(flowId, reset);
      acceptance.then(done, done);
    } else this.#consumed(flowId, reset);
  }

  /** An envelope we refuse before the stages (too large, but answerable): NACKed by the handler, its credit returned. */
  #reject(envelope: FameEnvelope, rejection: EnvelopeRejection): void {
    this.#handler.onRejected(envelope, rejection, 'inbound', this);
    this.#accepted(envelope, undefined);
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
      result = thrownRejection(error);
    }
    // As for `send`: Data from one address reaches the handler in the order it arrived.
    return (this.#inOrder ??= new KeyedStageOrder()).pass(dataKey(envelope, envelope.sid), result, (settled) =>
      this.#afterInbound(envelope, settled),
    );
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
      this.connector.send(this.#settings.queue.text ? serializeEnvelope(update) : encodeEnvelope(update));
    } catch (error) {
      this.logger.debug({ err: error }, 'could not send CreditUpdate');
    }
  }

  #onClose(info: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = info;
    this.#outOrder?.failAll(this.#closedError());
    this.#sends.failAll(this.#closedError());
    this.logger.debug({ code: info.code, reason: info.reason, initiator: info.initiator }, 'link closed');
    this.#handler.onClose(info, this);
  }

  #closedError(): ConnectorClosedError {
    const info = this.#closed;
    if (info === undefined) return new ConnectorClosedError(`link ${this.id} is ${this.connector.state}`);
    return new ConnectorClosedError(`link ${this.id} is closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`, info.code);
  }
}

/** What a link derives from its options, shared by every link made with the same options object. */
interface LinkSettingsOf {
  readonly stages: LinkStages | undefined;
  readonly decodeOptions: { readonly maxBytes: number } | undefined;
  /** The envelope limit those options apply (a transport's already-decoded envelope is taken up to it). */
  readonly maxBytes: number;
  readonly queue: SendQueueSettings;
}

const derived = new WeakMap<LinkOptions, { bytes?: LinkSettingsOf; text?: LinkSettingsOf }>();

function settingsOf(options: LinkOptions, text: boolean): LinkSettingsOf {
  let cached = derived.get(options);
  if (cached === undefined) derived.set(options, (cached = {}));
  const form = text ? 'text' : 'bytes';
  const known = cached[form];
  if (known !== undefined) return known;
  const stages = options.stages !== undefined && (options.stages.inbound || options.stages.outbound) ? options.stages : undefined;
  const maxBytes = options.maxEnvelopeBytes;
  const settings: LinkSettingsOf = {
    stages,
    decodeOptions: maxBytes === undefined ? undefined : { maxBytes },
    maxBytes: maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    queue: {
      maxQueued: options.maxQueuedEnvelopes ?? 4096,
      maxQueuedBytes: options.maxQueuedBytes ?? 32 * 1024 * 1024,
      maxFlows: options.maxFlows ?? 4096,
      flowControl: options.flowControl ?? true,
      text,
      // Envelopes go out with their own key order: ours are built in wire order, forwarded
      // ones keep the order their sender chose (as the reference forwards them).
      encodeOptions: maxBytes === undefined ? { keyOrder: 'as-is' } : { keyOrder: 'as-is', maxBytes },
      watch: options.watch,
    },
  };
  cached[form] = settings;
  return settings;
}

/** What orders `envelope` among a link's pending stages: Data by `address`; other frames are never held. */
function dataKey(envelope: FameEnvelope, address: string | undefined): string | undefined {
  return envelope.frame.type === 'Data' ? (address ?? '') : undefined;
}
