import { isReservedParticipant, splitAddress, type FameEnvelope, type FameFrame } from '@naylence/core';
import { controlAck } from '../node/control-request.js';
import type { NodeParts } from '../node/node-role.js';
import { FRAME_ROLES } from '@naylence/core';
import type { RouteTable } from '../routing/route-table.js';
import type { Neighbour } from './link-table.js';
import type { Propagation } from './propagation.js';

/**
 * What a sentinel does with each envelope an attached child or peer sends (by the frame
 * table): control requests update the route table and are acknowledged (protocol-core §4.5,
 * §4.6), control acks settle our own requests, routed and security frames go to the router.
 */
export class ControlFrames {
  readonly #parts: NodeParts;
  readonly #routes: RouteTable;
  readonly #propagation: Propagation;

  constructor(parts: NodeParts, routes: RouteTable, propagation: Propagation) {
    this.#parts = parts;
    this.#routes = routes;
    this.#propagation = propagation;
  }

  handle(envelope: FameEnvelope, from: Neighbour): void | Promise<unknown> {
    const hooks = this.#parts.hooks;
    if (hooks.length) for (const h of hooks) h.onEnvelopeReceived?.(envelope, from.peer);
    const frame = envelope.frame;
    switch (FRAME_ROLES[frame.type]) {
      case 'routed':
      case 'security':
        return this.#parts.receive(envelope, from.peer);
      case 'control-ack':
        from.pending.settle(envelope.corrId, envelope);
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
    const reserved = isReservedParticipant(splitAddress(address)?.participant ?? '');
    const fromPeer = from.peer.role === 'peer';
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
