import {
  BackPressureError,
  FlowFlags,
  utf8ByteLength,
  type Connector,
  type EncodeOptions,
  type FameEnvelope,
  type WireMessage,
} from '@naylence/core';
import { asError } from '../util/as-error.js';
import { SmallMap } from '../util/small-map.js';
import { FLOW_WINDOW, type Pending, type SendFlow } from './flow-control.js';
import type { StallWatch, WatchedLink } from './link-peer.js';
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
  /** Told when the queue becomes full or the transport stops draining, and when that ends. */
  readonly watch: StallWatch | undefined;
}

/** The link a send queue belongs to: where it sends and logs, and what its stalls are reported as. */
export interface SendQueueOwner extends WatchedLink {
  readonly connector: Connector;
}

/** What a queue keeps only while envelopes wait: the flows holding them, round-robin, and their totals. */
interface Backlog {
  readonly flows: Set<SendFlow>;
  queued: number;
  queuedBytes: number;
  queuedResponses: number;
  queuedResponseBytes: number;
}

/** The queue of a flow with nothing waiting (replaced by an array of its own at the first envelope that waits). */
const NOTHING_QUEUED: Pending[] = Object.freeze([]) as unknown as Pending[];

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
  // Few fields, and none for what only a busy queue needs: a sentinel holds one queue per link.
  readonly #owner: SendQueueOwner;
  readonly #settings: SendQueueSettings;
  readonly #flows = new SmallMap<SendFlow>();
  /** Created when the first envelope has to wait; kept from then on. */
  #backlog: Backlog | undefined;
  /** Since when the transport's buffer is above its high-water mark (ms since epoch); 0 = it is not. */
  #congestedSince = 0;
  #fullSince = 0;
  #tick = 0;

  constructor(owner: SendQueueOwner, settings: SendQueueSettings) {
    this.#owner = owner;
    this.#settings = settings;
  }

  /** Requests and one-way envelopes waiting, and responses waiting. */
  get queued(): { envelopes: number; bytes: number; responses: number } {
    const b = this.#backlog;
    if (b === undefined) return { envelopes: 0, bytes: 0, responses: 0 };
    return {
      envelopes: b.queued + b.queuedResponses,
      bytes: b.queuedBytes + b.queuedResponseBytes,
      responses: b.queuedResponses,
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
  enqueue(envelope: FameEnvelope, flowId: string, response: boolean): Promise<void> {
    const settings = this.#settings;
    let flow = this.#flows.get(flowId);
    const direct =
      this.#congestedSince === 0 &&
      (flow === undefined || (flow.head === flow.queue.length && (flow.credits > 0 || !settings.flowControl)));
    if (!direct) {
      const b = this.#backlog;
      const envelopes = b === undefined ? 0 : response ? b.queuedResponses : b.queued;
      const bytes = b === undefined ? 0 : response ? b.queuedResponseBytes : b.queuedBytes;
      if (envelopes >= settings.maxQueued || bytes >= settings.maxQueuedBytes) {
        if (this.#fullSince === 0) {
          this.#fullSince = Date.now();
          this.#stallChanged();
        }
        return Promise.reject(
          new BackPressureError(
            `link ${this.#owner.connector.id}: ${envelopes} envelopes (${bytes} bytes) already wait for credit or the transport`,
          ),
        );
      }
    }
    if (flow === undefined) {
      flow = {
        id: flowId,
        credits: FLOW_WINDOW,
        seq: 0,
        queue: NOTHING_QUEUED,
        head: 0,
        resetPending: false,
        responses: 0,
        used: 0,
        call: undefined,
      };
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
    const backlog = (this.#backlog ??= { flows: new Set(), queued: 0, queuedBytes: 0, queuedResponses: 0, queuedResponseBytes: 0 });
    return new Promise<void>((resolve, reject) => {
      if (target.queue === NOTHING_QUEUED) target.queue = [];
      target.queue.push({ message, bytes, response, resolve, reject });
      if (response) {
        backlog.queuedResponses += 1;
        backlog.queuedResponseBytes += bytes;
        target.responses += 1;
      } else {
        backlog.queued += 1;
        backlog.queuedBytes += bytes;
      }
      backlog.flows.add(target);
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
    this.#backlog = undefined;
    if (backlog !== undefined)
      for (const flow of backlog.flows) for (let i = flow.head; i < flow.queue.length; i++) flow.queue[i]!.reject(error);
    this.#flows.clear();
    this.#fullSince = this.#congestedSince = 0;
  }

  #stallChanged(): void {
    this.#settings.watch?.update(this.#owner);
  }

  #transmit(flow: SendFlow, message: WireMessage): void {
    if (this.#settings.flowControl) flow.credits -= 1;
    const connector = this.#owner.connector;
    let belowMark: boolean;
    try {
      belowMark = connector.send(message);
    } catch (error) {
      this.#owner.logger.debug({ err: error }, 'transport refused a send');
      return;
    }
    if (!belowMark && this.#congestedSince === 0) {
      this.#congestedSince = Date.now();
      this.#stallChanged();
      connector.drain().then(
        () => {
          this.#congestedSince = 0;
          this.#stallChanged();
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
    if (backlog === undefined) {
      // refused at once (a queue bound of 0), nothing ever waited
      if (this.#fullSince !== 0) {
        this.#fullSince = 0;
        this.#stallChanged();
      }
      return;
    }
    while (this.#congestedSince === 0 && backlog.flows.size > 0) {
      if (backlog.queuedResponses > 0 && this.#round(backlog, true)) continue;
      if (!this.#round(backlog, false)) break;
    }
    const { maxQueued, maxQueuedBytes } = this.#settings;
    if (
      this.#fullSince !== 0 &&
      backlog.queued * 2 < maxQueued &&
      backlog.queuedBytes * 2 < maxQueuedBytes &&
      backlog.queuedResponses * 2 < maxQueued &&
      backlog.queuedResponseBytes * 2 < maxQueuedBytes
    ) {
      this.#fullSince = 0;
      this.#stallChanged();
    }
  }

  /** One envelope from each flow that may send (only flows holding responses when `responsesOnly`); whether any went. */
  #round(backlog: Backlog, responsesOnly: boolean): boolean {
    const flowControl = this.#settings.flowControl;
    let progressed = false;
    for (const flow of backlog.flows) {
      if (this.#congestedSince !== 0) return progressed;
      if ((responsesOnly && flow.responses === 0) || (flow.credits <= 0 && flowControl)) continue;
      const item = flow.queue[flow.head]!;
      flow.queue[flow.head] = undefined as unknown as Pending;
      flow.head += 1;
      if (flow.head === flow.queue.length) {
        flow.queue = NOTHING_QUEUED;
        flow.head = 0;
        backlog.flows.delete(flow);
        if (flow.resetPending && this.#flows.get(flow.id) === flow) this.#flows.delete(flow.id);
      }
      if (item.response) {
        backlog.queuedResponses -= 1;
        backlog.queuedResponseBytes -= item.bytes;
        flow.responses -= 1;
      } else {
        backlog.queued -= 1;
        backlog.queuedBytes -= item.bytes;
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
