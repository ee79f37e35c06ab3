import type { FameEnvelope } from '@naylence/core';
import { SENT } from '../link/link.js';
import type { LinkSendOptions } from '../link/link-peer.js';
import type { NodeHooks } from '../node/hooks.js';
import type { Refusals } from './refusals.js';
import type { LinkRef, Source } from './route-decision.js';

/** Something envelopes leave through: a link to a child or peer, or the upstream session. */
export interface HopSender {
  send(envelope: FameEnvelope, options?: LinkSendOptions): Promise<void>;
}

export interface ForwarderHost {
  readonly hooks: readonly NodeHooks[];
  readonly refusals: Refusals;
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
 * envelopes that arrived over a link (a misconfigured mesh cannot loop forever), hands it to
 * the hop's link (whose outbound stage runs there), and turns a failure into a NACK.
 */
export class Forwarder {
  readonly #host: ForwarderHost;

  constructor(host: ForwarderHost) {
    this.#host = host;
  }

  /**
   * @returns for an envelope originated here, the send (its failure is the caller's error);
   *   for a forwarded one, a promise only while it waits (credit is held meanwhile)
   */
  forward(envelope: FameEnvelope, hop: LinkRef, source: Source, inReplyTo?: FameEnvelope): void | Promise<unknown> {
    const refusals = this.#host.refusals;
    if (source !== undefined && envelope.ttl !== undefined) {
      if (envelope.ttl <= 0)
        return refusals.unroutable(envelope, source, 'NO_ROUTE', `TTL exceeded before reaching ${envelope.to ?? 'a capability provider'}`);
      envelope.ttl -= 1;
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
    return sent.catch((error: Error) =>
      refusals.forwardFailed(envelope, source, error, hop.role === 'upstream' ? 'NO_ROUTE' : 'ROUTE_CONNECTOR_CLOSED'),
    );
  }
}
