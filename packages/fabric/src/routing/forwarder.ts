import type { FameEnvelope } from '@naylence/core';
import { SENT } from '../link/link.js';
import type { LinkSendOptions } from '../link/link-peer.js';
import type { NodeHooks } from '../node/hooks.js';
import type { NodeMetrics } from '../node/metrics.js';
import type { Refusals } from './refusals.js';
import type { LinkRef, Source } from './route-decision.js';

/** Something envelopes leave through: a link to a child or peer, or the upstream session. */
export interface HopSender {
  send(envelope: FameEnvelope, options?: LinkSendOptions): Promise<void>;
  /** Whether the sender's credit for `envelope` (just sent, not yet out) is held until it leaves: a flow carrying one call. */
  paces?(envelope: FameEnvelope): boolean;
}

/** Hop limit given to a forwarded envelope that carries no `ttl`. */
export const DEFAULT_HOP_LIMIT = 32;

export interface ForwarderHost {
  readonly hooks: readonly NodeHooks[];
  readonly refusals: Refusals;
  readonly metrics: NodeMetrics;
  /** Hop limit for envelopes forwarded without `ttl`. */
  readonly defaultTtl: number;
  /** The live sender towards `hop`, undefined when there is none. */
  senderFor(hop: LinkRef): HopSender | undefined;
}

// One options object per arrival side, so forwarding allocates nothing.
const FORWARDED: Readonly<Record<string, LinkSendOptions>> = {
  upstream: Object.freeze({ origin: 'upstream' }),
  downstream: Object.freeze({ origin: 'downstream' }),
  peer: Object.freeze({ origin: 'peer' }),
};

/**
 * Sends an envelope on towards the next hop routing chose: spends one unit of `ttl` on
 * envelopes that arrived over a link, giving one without `ttl` the default hop limit first (a
 * misconfigured mesh cannot loop forever; the reference carries `ttl` and ignores it), hands it
 * to the hop's link (whose outbound stage runs there), and turns a failure into a NACK.
 *
 * A forwarded envelope is accepted (its sender's credit returns) as soon as the next link has
 * queued it: a slow or stuck next hop never holds back the sender's other traffic. When that
 * link's queue is full the envelope is refused at once with BACK_PRESSURE. The one exception
 * is a flow that carries a single call (a stream on a flow of its own): its credit is held
 * until the envelope leaves, so a stream's producer goes at its consumer's pace and loses
 * nothing, while nobody else waits.
 */
export class Forwarder {
  readonly #host: ForwarderHost;

  constructor(host: ForwarderHost) {
    this.#host = host;
  }

  /**
   * @returns for an envelope originated here, the send (its failure is the caller's error);
   *   for a forwarded one nothing: it is accepted once queued (a later failure is NACKed)
   */
  forward(envelope: FameEnvelope, hop: LinkRef, source: Source, inReplyTo?: FameEnvelope): void | Promise<unknown> {
    const host = this.#host;
    const refusals = host.refusals;
    if (source !== undefined) {
      const ttl = envelope.ttl;
      if (ttl === undefined) envelope.ttl = host.defaultTtl - 1;
      else if (ttl <= 0) {
        host.metrics.ttlExpired += 1;
        return refusals.unroutable(envelope, source, 'NO_ROUTE', `TTL exceeded before reaching ${envelope.to ?? 'a capability provider'}`);
      } else envelope.ttl = ttl - 1;
    }
    const sender = this.#host.senderFor(hop);
    if (sender === undefined)
      return refusals.unroutable(
        envelope,
        source,
        hop.role === 'upstream' ? 'NO_ROUTE' : hop.role === 'peer' ? 'PEER_UNREACHABLE' : 'CHILD_UNREACHABLE',
      );
    const hooks = this.#host.hooks;
    if (hooks.length) for (const h of hooks) h.onBeforeForward?.(envelope, hop);
    if (source === undefined) return sender.send(envelope, inReplyTo === undefined ? undefined : { inReplyTo });
    const sent = sender.send(envelope, FORWARDED[source.role]);
    if (sent === SENT) return undefined; // went out at once: accept now, no promise bookkeeping
    const failed = sent.catch((error: Error) =>
      refusals.forwardFailed(envelope, source, error, hop.role === 'upstream' ? 'NO_ROUTE' : 'ROUTE_CONNECTOR_CLOSED'),
    );
    return sender.paces?.(envelope) ? failed : undefined;
  }
}
