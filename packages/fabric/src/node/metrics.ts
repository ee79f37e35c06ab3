/**
 * Counters of what a node refused, dropped or cut off because a peer was hostile, broken or
 * slow. Read a snapshot with `FameNode.metrics`; every counter only grows.
 */
export class NodeMetrics {
  /** Links closed as slow consumers: queue full, or socket writes stalled, past the deadline. */
  slowConsumerCloses = 0;
  /** Undecodable envelopes received and dropped (not JSON, not UTF-8, invalid fields, unknown frame). */
  invalidEnvelopes = 0;
  /** Links closed for sending too many undecodable envelopes within the window. */
  invalidEnvelopeCloses = 0;
  /** Envelopes over the size limit: NACKed when answerable, else their link closed with 1009. */
  oversizedEnvelopes = 0;
  /** Envelopes refused with BACK_PRESSURE because the next link's queue was full. */
  backPressureRefusals = 0;
  /** Envelopes whose hop limit (`ttl`) ran out. */
  ttlExpired = 0;
  /** NodeAttach refusals (invalid or taken system id, unauthorized peer, authorization). */
  attachRefusals = 0;
  /** AddressBind refusals (an address another live link owns, a physical address of another node). */
  bindRefusals = 0;
  /** Envelopes refused because their `sid` named a node known to be elsewhere. */
  sidMismatches = 0;

  snapshot(): Readonly<NodeMetricsSnapshot> {
    return Object.freeze({ ...this });
  }
}

export type NodeMetricsSnapshot = { readonly [K in keyof NodeMetrics as NodeMetrics[K] extends number ? K : never]: number };
