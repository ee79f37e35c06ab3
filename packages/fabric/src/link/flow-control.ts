import type { WireMessage } from '@naylence/core';
import { SmallMap } from '../util/small-map.js';

/**
 * Credit-based flow control, per link and per `flowId`, with the reference's wire behaviour
 * (protocol-core §6.1): a window of 32 credits, and a `CreditUpdate` from the receiver once its
 * counter for a flow falls to 8 (after every 24 accepted envelopes).
 *
 * One deliberate difference: the reference always grants 32 credits for those 24 envelopes,
 * so a fast sender gains 8 envelopes of backlog at a slow receiver on every refill and the
 * backlog grows without bound. We grant exactly the number of envelopes accepted since the
 * last grant, which keeps a true window of 32 per flow; a reference sender adds whatever
 * `credits` says (capped at 32), so nothing changes for it but the bound.
 */
export const FLOW_WINDOW = 32;
export const FLOW_LOW_WATERMARK = Math.floor(FLOW_WINDOW * 0.25);

/** Receive-side counters: decide when to grant credits back to the sender. */
export class ReceiveCredits extends SmallMap<number> {
  readonly #maxFlows: number;

  /** @param maxFlows flows tracked at once; the least recently used one is flushed past that */
  constructor(maxFlows = 4096) {
    super(); // the counters themselves (one object per link instead of two)
    this.#maxFlows = maxFlows;
  }

  /**
   * Count one accepted envelope of `flowId`. Returns the credits to grant now (0 for none).
   */
  consumed(flowId: string): number {
    let left = this.get(flowId);
    if (left === undefined) left = FLOW_WINDOW;
    else this.delete(flowId); // re-insert below: Map order doubles as LRU order
    left -= 1;
    let grant = 0;
    if (left <= FLOW_LOW_WATERMARK) {
      grant = FLOW_WINDOW - left;
      left = FLOW_WINDOW;
    }
    this.set(flowId, left);
    return grant;
  }

  /**
   * The envelope just accepted carried RESET: forget the flow. Returns the credits still owed
   * (including this envelope), so that a sender that did not reset its own side (the reference
   * sets RESET on NACKs sent on a shared flow) cannot stall.
   */
  forget(flowId: string): number {
    const left = this.get(flowId) ?? FLOW_WINDOW;
    this.delete(flowId);
    return FLOW_WINDOW - left + 1;
  }

  /** Past the flow limit, evicts the least recently used flow; returns it with the credits still owed to it. */
  evictIfFull(): { flowId: string; credits: number } | undefined {
    if (this.size <= this.#maxFlows) return undefined;
    const [oldest, left] = this.first()!;
    this.delete(oldest);
    return left < FLOW_WINDOW ? { flowId: oldest, credits: FLOW_WINDOW - left } : undefined;
  }
}

/** One envelope waiting for credit or for the transport. */
export interface Pending {
  /** The envelope encoded once, in the transport's form. */
  readonly message: WireMessage;
  /** Its size in UTF-8 bytes. */
  readonly bytes: number;
  /** A response (reply, ack, NACK): served before requests and one-way envelopes. */
  readonly response: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** The send side of one flow on one link. */
export interface SendFlow {
  readonly id: string;
  credits: number;
  seq: number;
  queue: Pending[];
  head: number;
  /** A queued envelope carries RESET: forget the flow once the queue is sent. */
  resetPending: boolean;
  /** Responses among the queued envelopes. */
  responses: number;
  /** When the flow was last used (the queue's send counter), for forgetting idle flows. */
  used: number;
  /**
   * The one `corrId` every envelope of the flow carried so far (the flow carries one call, e.g.
   * a stream), null once envelopes of several calls or without `corrId` used it, undefined
   * before the first.
   */
  call: string | null | undefined;
}
