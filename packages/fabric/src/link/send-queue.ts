import {
  BackPressureError,
  FlowFlags,
  utf8ByteLength,
  type Connector,
  type EncodeOptions,
  type FameEnvelope,
  type Logger,
  type WireMessage,
} from '@naylence/core';
import { asError } from '../util/as-error.js';
import { SmallMap } from '../util/small-map.js';
import { FLOW_WINDOW, type Pending, type SendFlow } from './flow-control.js';
import { encodeForHop } from './wire-form.js';

/**
 * What `send` returns when the envelope went out at once. Callers on hot paths compare
 * against it to skip promise bookkeeping.
 */
export const SENT: Promise<void> = Promise.resolve();

export interface SendQueueSettings {
  /** Requests and one-way envelopes that may wait; past that `enqueue` fails with BACK_PRESSURE. Responses have an allowance of their own. */
  readonly maxQueued: number;
  readonly maxQueuedBytes: number;
  /** Send flows remembered; idle ones are forgotten past this (least recently used first). */
  readonly maxFlows: number;
  readonly flowControl: boolean;
  /** Encode to text (in-process transport) rather than bytes. */
  readonly text: boolean;
  readonly encodeOptions: EncodeOptions;
}

/** Why a link counts as stalled (see {@link SendQueue.stalledSince}). */
export type StallReason = 'queue full' | 'writes stalled';

/**
 * The send side of one link: per-flow credit (protocol-core §6.1), one FIFO per flow, the
 * transport's buffer, and a bounded queue.
 *
 * - Responses (replies, acks, NACKs, control acks) never wait behind requests or one-way
 *   envelopes: flows holding responses are served first, and responses have their own queue
 *   allowance, so a full queue of one-way envelopes never refuses a reply.
 * - Past the bound a request or one-way envelope fails at once with BACK_PRESSURE; the queue
 *   then counts as full until it drains below half. A full queue or a transport whose buffer
 *   stays above its high-water mark is a stall, reported to the link's watchdog.
 * - Flow state peers can make us create is bounded: past `maxFlows`, idle flows are forgotten
 *   (a forgotten flow starts over with SYN and a full window when used again).
 */
export class SendQueue {
  readonly #connector: Connector;
  readonly #logger: Logger;
  readonly #settings: SendQueueSettings;
  readonly #onStall: () => void;
  readonly #flows = new SmallMap<SendFlow>();
  /** Flows with queued envelopes, served round-robin; created on first use. */
  #backlog: Set<SendFlow> | undefined;
  #queued = 0;
  #queuedBytes = 0;
  #queuedResponses = 0;
  #queuedResponseBytes = 0;
  #congested = false;
  #congestedSince = 0;
  #fullSince = 0;
  #tick = 0;

  constructor(connector: Connector, logger: Logger, settings: SendQueueSettings, onStall: () => void) {
    this.#connector = connector;
    this.#logger = logger;
    this.#settings = settings;
    this.#onStall = onStall;
  }

  /** Requests and one-way envelopes waiting, and responses waiting. */
  get queued(): { envelopes: number; bytes: number; responses: number } {
    return {
      envelopes: this.#queued + this.#queuedResponses,
      bytes: this.#queuedBytes + this.#queuedResponseBytes,
      responses: this.#queuedResponses,
    };
  }

  get flowCount(): number {
    return this.#flows.size;
  }

  /** When the queue became full or the transport's buffer stopped draining (ms since epoch); 0 = not stalled. */
  get stalledSince(): number {
    const a = this.#fullSince;
    const b = this.#congestedSince;
    return a === 0 ? b : b === 0 ? a : Math.min(a, b);
  }

  get stallReason(): StallReason | undefined {
    const since = this.stalledSince;
    if (since === 0) return undefined;
    return since === this.#congestedSince ? 'writes stalled' : 'queue full';
  }

  /**
   * Queues (or sends at once) `envelope` on flow `flowId`.
   * @returns SENT when it went out at once; otherwise a promise that resolves when it does
   * @throws (rejects) BackPressureError past the bound, MessageTooLargeError, InvalidEnvelopeError
   */
  enqueue(linkId: string, envelope: FameEnvelope, flowId: string, response: boolean): Promise<void> {
    const settings = this.#settings;
    let flow = this.#flows.get(flowId);
    const direct =
      !this.#congested && (flow === undefined || (flow.head === flow.queue.length && (flow.credits > 0 || !settings.flowControl)));
    if (!direct) {
      const refused = response
        ? this.#queuedResponses >= settings.maxQueued || this.#queuedResponseBytes >= settings.maxQueuedBytes
        : this.#queued >= settings.maxQueued || this.#queuedBytes >= settings.maxQueuedBytes;
      if (refused) {
        if (this.#fullSince === 0) {
          this.#fullSince = Date.now();
          this.#onStall();
        }
        return Promise.reject(
          new BackPressureError(
            `link ${linkId}: ${response ? this.#queuedResponses : this.#queued} envelopes (${response ? this.#queuedResponseBytes : this.#queuedBytes} bytes) already wait for credit or the transport`,
          ),
        );
      }
    }
    if (flow === undefined) {
      flow = { id: flowId, credits: FLOW_WINDOW, seq: 0, queue: [], head: 0, resetPending: false, responses: 0, used: 0, call: undefined };
      this.#flows.set(flowId, flow);
      if (this.#flows.size > settings.maxFlows) this.#forgetIdleFlows();
    }
    flow.used = ++this.#tick;
    if (flow.call !== null) {
      const corrId = envelope.corrId;
      flow.call = corrId === undefined || (flow.call !== undefined && flow.call !== corrId) ? null : corrId;
    }
    const reset = ((envelope.flowFlags ?? 0) & FlowFlags.RESET) !== 0;
    let message: WireMessage;
    try {
      const flags = (flow.seq === 0 ? FlowFlags.SYN : 0) | (reset ? FlowFlags.RESET : 0);
      message = encodeForHop(envelope, flowId, flow.seq, flags, settings.text, settings.encodeOptions);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    flow.seq += 1;
    // A reset flow starts over (SYN, full window) the next time it is used.
    if (reset) {
      if (direct) this.#flows.delete(flowId);
      else flow.resetPending = true;
    }
    if (direct) {
      this.#transmit(flow, message);
      return SENT;
    }
    const bytes = typeof message === 'string' ? utf8ByteLength(message) : message.byteLength;
    const target = flow;
    return new Promise<void>((resolve, reject) => {
      target.queue.push({ message, bytes, response, resolve, reject });
      if (response) {
        this.#queuedResponses += 1;
        this.#queuedResponseBytes += bytes;
        target.responses += 1;
      } else {
        this.#queued += 1;
        this.#queuedBytes += bytes;
      }
      (this.#backlog ??= new Set()).add(target);
    });
  }

  /**
   * Whether envelopes of `flowId` wait here and the flow carries a single call (every envelope
   * had the same `corrId`: a stream on a flow of its own). A forwarding node holds the sender's
   * credit for such an envelope until it leaves, so a stream's producer goes at its consumer's
   * pace, at no one else's expense; envelopes of shared flows are accepted once queued.
   */
  paces(flowId: string): boolean {
    const flow = this.#flows.get(flowId);
    return flow !== undefined && typeof flow.call === 'string' && flow.head < flow.queue.length;
  }

  /** A CreditUpdate for `flowId` arrived. */
  addCredits(flowId: string, credits: number): void {
    const flow = this.#flows.get(flowId);
    if (flow === undefined) return; // a flow we have not used (yet): it starts with a full window anyway
    flow.credits = Math.min(FLOW_WINDOW, flow.credits + credits);
    if (flow.credits > 0 && flow.head < flow.queue.length) this.#pump();
  }

  /** The link closed: every queued send fails with `error`. */
  failAll(error: Error): void {
    const backlog = this.#backlog;
    if (backlog !== undefined) {
      for (const flow of backlog) for (let i = flow.head; i < flow.queue.length; i++) flow.queue[i]!.reject(error);
      backlog.clear();
    }
    this.#flows.clear();
    this.#queued = this.#queuedBytes = this.#queuedResponses = this.#queuedResponseBytes = 0;
    this.#fullSince = this.#congestedSince = 0;
  }

  #transmit(flow: SendFlow, message: WireMessage): void {
    if (this.#settings.flowControl) flow.credits -= 1;
    let belowMark: boolean;
    try {
      belowMark = this.#connector.send(message);
    } catch (error) {
      this.#logger.debug({ err: error }, 'transport refused a send');
      return;
    }
    if (!belowMark && !this.#congested) {
      this.#congested = true;
      this.#congestedSince = Date.now();
      this.#onStall();
      this.#connector.drain().then(
        () => {
          this.#congested = false;
          this.#congestedSince = 0;
          this.#onStall();
          this.#pump();
        },
        () => {
          // the close handler fails whatever is still queued
        },
      );
    }
  }

  /** Sends what credit and the transport allow: flows holding responses first, then round-robin. */
  #pump(): void {
    const backlog = this.#backlog;
    if (backlog === undefined) return;
    while (!this.#congested && backlog.size > 0) {
      if (this.#queuedResponses > 0 && this.#round(backlog, true)) continue;
      if (!this.#round(backlog, false)) break;
    }
    const { maxQueued, maxQueuedBytes } = this.#settings;
    if (
      this.#fullSince !== 0 &&
      this.#queued * 2 < maxQueued &&
      this.#queuedBytes * 2 < maxQueuedBytes &&
      this.#queuedResponses * 2 < maxQueued &&
      this.#queuedResponseBytes * 2 < maxQueuedBytes
    ) {
      this.#fullSince = 0;
      this.#onStall();
    }
  }

  /** One envelope from each flow that may send (only flows holding responses when `responsesOnly`); whether any went. */
  #round(backlog: Set<SendFlow>, responsesOnly: boolean): boolean {
    const flowControl = this.#settings.flowControl;
    let progressed = false;
    for (const flow of backlog) {
      if (this.#congested) return progressed;
      if ((responsesOnly && flow.responses === 0) || (flow.credits <= 0 && flowControl)) continue;
      const item = flow.queue[flow.head]!;
      flow.queue[flow.head] = undefined as unknown as Pending;
      flow.head += 1;
      if (flow.head === flow.queue.length) {
        flow.queue = [];
        flow.head = 0;
        backlog.delete(flow);
        if (flow.resetPending && this.#flows.get(flow.id) === flow) this.#flows.delete(flow.id);
      }
      if (item.response) {
        this.#queuedResponses -= 1;
        this.#queuedResponseBytes -= item.bytes;
        flow.responses -= 1;
      } else {
        this.#queued -= 1;
        this.#queuedBytes -= item.bytes;
      }
      this.#transmit(flow, item.message);
      item.resolve();
      progressed = true;
    }
    return progressed;
  }

  /**
   * Forgets idle flows, least recently used first, down to three quarters of the limit (flows
   * with queued envelopes, and those used since the last quarter of the limit was filled, are
   * kept). Amortized O(1) per new flow.
   */
  #forgetIdleFlows(): void {
    const flows = this.#flows;
    const target = (this.#settings.maxFlows * 3) >> 2;
    const cutoff = this.#tick - target;
    let visits = flows.size;
    for (const [id, flow] of flows.entries()) {
      if (flows.size <= target || visits-- <= 0) break;
      flows.delete(id);
      if (flow.head < flow.queue.length || flow.used > cutoff) flows.set(id, flow);
    }
  }
}
