import type { FameEnvelope } from '@naylence/core';

/**
 * One thing a receiver takes from the sender, in the sender's order: a message (with the
 * envelope the ingress decoded from it, handed on so that the node does not decode it again)
 * or the close of the link.
 */
export type Arrival =
  | { readonly kind: 'message'; readonly message: Uint8Array; readonly bytes: number; readonly envelope?: FameEnvelope | undefined }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/**
 * `arrival` without its decoded envelope, for an arrival kept waiting (out of order, or before
 * the node started the link): what waits is bounded in body bytes, so it keeps only the bytes.
 */
export function bytesOnly<A extends Arrival>(arrival: A): A {
  return arrival.kind === 'message' && arrival.envelope !== undefined ? { ...arrival, envelope: undefined } : arrival;
}

/** What the receiver answers a request with. */
export type OfferResult = 'accepted' | 'duplicate' | 'busy';

export interface InboxSink {
  /** Whether a message of `bytes` fits in the receive queue now. */
  hasRoom(bytes: number): boolean;
  /** The next arrival in the sender's order. */
  deliver(arrival: Arrival): void;
}

/**
 * Restores the sender's order of a link's requests (protocol extension, see `LINK_HEADER`).
 *
 * Requests with a sequence number are delivered in that order: one that comes early is held
 * (at most `maxHeld`, else `busy`), a duplicate of one already delivered is acknowledged and
 * dropped. Requests without one (reference senders send one at a time) are delivered as they
 * come. A message that does not fit the receive queue is answered `busy` (429), so the sender
 * keeps it and tries again later.
 */
export class OrderedInbox {
  readonly #sink: InboxSink;
  readonly #maxHeld: number;
  readonly #held = new Map<number, Arrival>();
  #heldBytes = 0;
  /** Both ends number their requests from 0 (the NodeAttach, the NodeAttachAck). */
  #expected = 0;

  constructor(sink: InboxSink, maxHeld: number) {
    this.#sink = sink;
    this.#maxHeld = maxHeld;
  }

  /** Messages held back waiting for an earlier one, and their bytes (they count against the queue). */
  get held(): { readonly count: number; readonly bytes: number } {
    return { count: this.#held.size, bytes: this.#heldBytes };
  }

  offer(seq: number | undefined, arrival: Arrival): OfferResult {
    const bytes = arrival.kind === 'message' ? arrival.bytes : 0;
    if (seq === undefined) {
      if (!this.#sink.hasRoom(bytes)) return 'busy';
      this.#sink.deliver(arrival);
      return 'accepted';
    }
    const expected = this.#expected;
    if (seq < expected || this.#held.has(seq)) return 'duplicate';
    if (seq > expected) {
      if (this.#held.size >= this.#maxHeld || !this.#sink.hasRoom(this.#heldBytes + bytes)) return 'busy';
      this.#held.set(seq, bytesOnly(arrival));
      this.#heldBytes += bytes;
      return 'accepted';
    }
    if (!this.#sink.hasRoom(bytes)) return 'busy';
    this.#expected = seq + 1;
    this.#sink.deliver(arrival);
    this.#release();
    return 'accepted';
  }

  #release(): void {
    for (;;) {
      const expected = this.#expected;
      const next = this.#held.get(expected);
      if (next === undefined) return;
      this.#held.delete(expected);
      if (next.kind === 'message') this.#heldBytes -= next.bytes;
      this.#expected = expected + 1;
      this.#sink.deliver(next);
    }
  }
}
