import {
  clipText,
  FRAME_ROLES,
  isPathWithin,
  isReservedParticipant,
  splitAddress,
  type FameEnvelope,
  type FameFrame,
} from '@naylence/core';
import { controlAck } from '../node/control-request.js';
import type { NodeParts } from '../node/node-role.js';
import type { RouteTable } from '../routing/route-table.js';
import type { KnownSids } from './known-sids.js';
import type { LinkTable, Neighbour } from './link-table.js';
import type { Propagation } from './propagation.js';

/**
 * What a sentinel does with each envelope an attached child or peer sends (by the frame
 * table): control requests update the route table and are acknowledged (protocol-core §4.5,
 * §4.6), control acks settle our own requests, routed and security frames go to the router.
 *
 * Nobody takes over what another live link owns: an AddressBind of an exact address another
 * live child or peer owns, or of a physical address outside the sender's own path, is refused
 * (`AddressBindAck ok:false`, code `ADDRESS_IN_USE`; pools are for sharing), and a routed
 * envelope whose `sid` names a node known to be elsewhere (this sentinel, an ancestor, another
 * child or peer) is refused with UNAUTHORIZED_ROUTE (a NACK where the protocol allows one).
 */
export class ControlFrames {
  readonly #parts: NodeParts;
  readonly #routes: RouteTable;
  readonly #links: LinkTable;
  readonly #propagation: Propagation;
  readonly #sids: KnownSids;

  constructor(parts: NodeParts, routes: RouteTable, links: LinkTable, propagation: Propagation, sids: KnownSids) {
    this.#parts = parts;
    this.#routes = routes;
    this.#links = links;
    this.#propagation = propagation;
    this.#sids = sids;
  }

  handle(envelope: FameEnvelope, from: Neighbour): void | Promise<unknown> {
    const hooks = this.#parts.hooks;
    if (hooks.length) for (const h of hooks) h.onEnvelopeReceived?.(envelope, from.peer);
    const frame = envelope.frame;
    switch (FRAME_ROLES[frame.type]) {
      case 'routed':
      case 'security': {
        const sid = envelope.sid;
        const elsewhere = sid === undefined ? undefined : this.#sids.elsewhere(sid, from.peer.systemId);
        if (elsewhere !== undefined) {
          this.#parts.metrics.sidMismatches += 1;
          return this.#parts.refusals.unroutable(
            envelope,
            from.peer,
            'UNAUTHORIZED_ROUTE',
            `sid ${clipText(sid!)} is not the sender's (it names ${elsewhere})`,
          );
        }
        return this.#parts.receive(envelope, from.peer);
      }
      case 'control-ack':
        from.pending?.settle(envelope.corrId, envelope);
        return undefined;
      case 'attach':
        from.link.logger.warn(`${frame.type} on an attached link ignored`);
        return undefined;
      case 'control':
        break;
      default:
        from.link.logger.debug({ frameType: frame.type }, 'ignored a frame that is not routed');
        return undefined;
    }
    switch (frame.type) {
      case 'AddressBind':
        return this.#bind(envelope, frame.address, from);
      case 'AddressUnbind':
        return this.#unbind(envelope, frame.address, from);
      case 'CapabilityAdvertise':
        return this.#advertise(envelope, frame.capabilities, frame.address, from);
      case 'CapabilityWithdraw':
        return this.#withdraw(envelope, frame.capabilities, frame.address, from);
      case 'NodeHeartbeat': {
        const address = frame.address;
        const ack = { type: 'NodeHeartbeatAck', ok: true, refId: envelope.id, ...(address !== undefined && { address }) } as const;
        return this.#reply(from, envelope, { ...ack, routingEpoch: from.routingEpoch });
      }
    }
  }

  #bind(envelope: FameEnvelope, address: string, from: Neighbour): void {
    const parts = splitAddress(address);
    const reserved = isReservedParticipant(parts?.participant ?? '');
    const fromPeer = from.peer.role === 'peer';
    const refusal = reserved ? undefined : this.#bindRefusal(address, parts?.location ?? '', from);
    if (refusal !== undefined) {
      this.#parts.metrics.bindRefusals += 1;
      this.#parts.logLimiter.log(
        from.link.logger,
        'warn',
        'bind-refused',
        { address: clipText(address), reason: refusal },
        'refused an AddressBind',
      );
      this.#reply(from, envelope, {
        type: 'AddressBindAck',
        ok: false,
        refId: envelope.id,
        address,
        code: 'ADDRESS_IN_USE',
        reason: refusal,
      });
      return;
    }
    if (!reserved) {
      const { replaced } = this.#routes.bind(address, { systemId: from.peer.systemId, kind: fromPeer ? 'peer' : 'downstream' });
      if (replaced) from.link.logger.info({ address, previousOwner: replaced.systemId }, 'address re-bound to a new owner');
    }
    this.#reply(from, envelope, { type: 'AddressBindAck', ok: true, refId: envelope.id, address });
    // Binds learned from peers are not passed on: forwarding them around a peer mesh could
    // overwrite routes to our own children.
    if (!reserved && !fromPeer) {
      this.#propagation.toParentAndPeers(
        { type: 'AddressBind', address, physicalPath: this.#parts.identity.physicalPath },
        from.peer.systemId,
      );
    }
  }

  /** Why `from` may not bind `address`, or undefined when it may. */
  #bindRefusal(address: string, location: string, from: Neighbour): string | undefined {
    if (location.charCodeAt(0) === 47 /* '/' */ && !isPathWithin(location, from.peer.physicalPath))
      return `${location} is another node's physical path`;
    const owner = this.#routes.exact(address);
    if (owner !== undefined && owner.systemId !== from.peer.systemId && this.#links.isLive(owner.systemId))
      return 'the address is bound by another live link';
    return undefined;
  }

  #unbind(envelope: FameEnvelope, address: string, from: Neighbour): void {
    const { removed } = this.#routes.unbind(address, from.peer.systemId);
    const fromPeer = from.peer.role === 'peer';
    if (!fromPeer) this.#reply(from, envelope, { type: 'AddressUnbindAck', ok: true, refId: envelope.id, address });
    if (removed && !fromPeer && !this.#routes.exact(address))
      this.#propagation.toParentAndPeers({ type: 'AddressUnbind', address }, from.peer.systemId);
  }

  #advertise(envelope: FameEnvelope, capabilities: string[], address: string, from: Neighbour): void {
    if (from.peer.role === 'peer') return;
    const fresh = this.#routes.advertise(capabilities, address, from.peer.systemId);
    this.#reply(from, envelope, { type: 'CapabilityAdvertiseAck', ok: true, refId: envelope.id, capabilities, address });
    if (fresh.length) this.#propagation.toParent({ type: 'CapabilityAdvertise', capabilities: fresh, address });
  }

  #withdraw(envelope: FameEnvelope, capabilities: string[], address: string, from: Neighbour): void {
    if (from.peer.role === 'peer') return;
    const lost = this.#routes.withdraw(capabilities, address, from.peer.systemId);
    this.#reply(from, envelope, { type: 'CapabilityWithdrawAck', ok: true, refId: envelope.id, capabilities, address });
    if (lost.length) this.#propagation.toParent({ type: 'CapabilityWithdraw', capabilities: lost, address });
  }

  /** A control ack goes straight down the link the request came on (it passes the outbound stage there). */
  #reply(to: Neighbour, request: FameEnvelope, frame: FameFrame): void {
    const ack = controlAck(request, frame, this.#parts.identity.sid);
    to.link
      .send(ack, { inReplyTo: request })
      .catch((error: Error) => to.link.logger.debug({ err: error, frameType: frame.type }, 'could not send a control ack'));
  }
}
