import { FRAME_ROLES, type FameEnvelope, type NodeSecurity } from '@naylence/core';
import type { LocalDelivery } from '../delivery/local-delivery.js';
import { stageContext, type LinkPeer } from '../link/link-peer.js';
import type { Identity } from '../node/identity.js';
import type { Forwarder } from './forwarder.js';
import type { Refusals } from './refusals.js';
import type { RouteDecision, Source } from './route-decision.js';

/** A routing policy: a pure function of the envelope, where it came from, and the node's routes. */
export type RoutingPolicy = (envelope: FameEnvelope, source: Source) => RouteDecision;

export interface RouterParts {
  readonly identity: Identity;
  readonly policy: RoutingPolicy;
  readonly delivery: LocalDelivery;
  readonly forwarder: Forwarder;
  readonly refusals: Refusals;
  readonly security: NodeSecurity | undefined;
}

/**
 * One hop's decision, carried out: ask the policy (the leaf's or the sentinel's), then deliver
 * locally, forward, NACK or drop. Security-owned frames that arrive over a link are first
 * offered to the node's security component (`claim`).
 */
export class Router {
  readonly #parts: RouterParts;
  readonly #claim: NodeSecurity['claim'];

  constructor(parts: RouterParts) {
    this.#parts = parts;
    this.#claim = parts.security?.claim?.bind(parts.security);
  }

  /**
   * A routed or security frame that arrived over a link (after the inbound stage). A security
   * frame is first offered to `claim`, told whether routing would deliver it here.
   */
  receive(envelope: FameEnvelope, source: LinkPeer): void | Promise<unknown> {
    const claim = this.#claim;
    if (claim === undefined || FRAME_ROLES[envelope.frame.type] !== 'security') return this.route(envelope, source);
    const decision = this.#parts.policy(envelope, source);
    const context = stageContext(this.#parts.identity, source.role, source, false, undefined);
    const claimed = claim(envelope, { ...context, forThisNode: decision.kind === 'deliver' });
    if (claimed instanceof Promise) return claimed.then((done) => (done ? undefined : this.#carryOut(decision, envelope, source)));
    return claimed ? undefined : this.#carryOut(decision, envelope, source);
  }

  /**
   * Route one envelope. For an envelope originated here (`source` undefined) a failure is the
   * caller's: it throws or the returned promise rejects. For one from a link the result is its
   * acceptance: a promise holds the sender's credit until it settles.
   */
  route(envelope: FameEnvelope, source: LinkPeer | undefined, inReplyTo?: FameEnvelope): void | Promise<unknown> {
    return this.#carryOut(this.#parts.policy(envelope, source), envelope, source, inReplyTo);
  }

  #carryOut(
    decision: RouteDecision,
    envelope: FameEnvelope,
    source: LinkPeer | undefined,
    inReplyTo?: FameEnvelope,
  ): void | Promise<unknown> {
    const parts = this.#parts;
    switch (decision.kind) {
      case 'deliver':
        return parts.delivery.deliver(decision.binding, envelope, source);
      case 'forward':
        return parts.forwarder.forward(envelope, decision.hop, source, inReplyTo);
      case 'nack':
        return parts.refusals.unroutable(envelope, source, decision.code, decision.reason);
      case 'drop':
        return parts.refusals.dropped(envelope, source, decision.reason);
    }
  }
}
