import { hostMatchesPool, isPoolPattern, locationHost, splitAddress, type FameFrame } from '@naylence/core';
import { controlRequest } from '../node/control-request.js';
import { PendingRequests } from '../node/pending-requests.js';
import type { NodeParts } from '../node/node-role.js';
import type { RouteTable } from '../routing/route-table.js';
import type { LinkTable, Neighbour } from './link-table.js';

/**
 * Passes route changes on: binds and unbinds of children to the parent and to peer sentinels,
 * capability changes to the parent; announces our children's addresses to a peer that just
 * attached, and everything our children gave us to the parent after our own (re-)attach.
 * A peer learns only the routes it is allowed to: logicals under the sentinel's `peerLogicals`
 * and under the `acceptedLogicals` of the peer's own NodeAttach.
 */
export class Propagation {
  readonly #parts: NodeParts;
  readonly #routes: RouteTable;
  readonly #links: LinkTable;
  readonly #ackTimeoutMs: number;
  readonly #peerLogicals: readonly string[];

  constructor(parts: NodeParts, routes: RouteTable, links: LinkTable, ackTimeoutMs: number, peerLogicals: readonly string[]) {
    this.#parts = parts;
    this.#routes = routes;
    this.#links = links;
    this.#ackTimeoutMs = ackTimeoutMs;
    this.#peerLogicals = peerLogicals;
  }

  /** A child's bind/unbind: to our parent and to every peer except `source` that may learn it. */
  toParentAndPeers(frame: FameFrame & { readonly address: string }, source: string): void {
    this.toParent(frame);
    for (const peer of this.#links.peers())
      if (peer.peer.systemId !== source && this.#mayLearn(peer, frame.address)) this.#requestOn(peer, frame);
  }

  toParent(frame: FameFrame): void {
    const session = this.#parts.upstream();
    if (!session?.isAttached) return; // announced in full on the next attach
    session
      .request(frame, this.#parts.identity.systemInbox)
      .catch((error: Error) => this.#parts.logger.warn({ err: error, frameType: frame.type }, 'propagating to the parent failed'));
  }

  /** A peer just attached (either way): tell it the addresses our children serve. */
  announceToPeer(peer: Neighbour): void {
    const { addresses, pools } = this.#routes.entries();
    const physicalPath = this.#parts.identity.physicalPath;
    for (const [address, owner] of addresses) {
      if (owner.kind === 'downstream' && this.#mayLearn(peer, address))
        this.#requestOn(peer, { type: 'AddressBind', address, physicalPath });
    }
    for (const pool of pools) if (this.#mayLearn(peer, pool)) this.#requestOn(peer, { type: 'AddressBind', address: pool, physicalPath });
  }

  /** After our own (re-)attach: every route our children gave us. */
  async reannounceToParent(): Promise<void> {
    const session = this.#parts.upstream();
    if (!session) return;
    const { addresses, pools, capabilities } = this.#routes.entries();
    const { physicalPath, systemInbox } = this.#parts.identity;
    const requests: Promise<unknown>[] = [];
    for (const [address, owner] of addresses) {
      if (owner.kind === 'downstream') requests.push(session.request({ type: 'AddressBind', address, physicalPath }, systemInbox));
    }
    for (const pool of pools) requests.push(session.request({ type: 'AddressBind', address: pool, physicalPath }, systemInbox));
    for (const { capability, address } of capabilities) {
      requests.push(session.request({ type: 'CapabilityAdvertise', capabilities: [capability], address }, systemInbox));
    }
    const results = await Promise.allSettled(requests);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) this.#parts.logger.warn({ failed, total: results.length }, 're-announcing child routes to the parent partly failed');
  }

  /** A child or peer is gone for good: remove its routes and tell the others. */
  withdrawRoutes(segment: string): void {
    const removed = this.#routes.removeSegment(segment);
    for (const address of [...removed.addresses, ...removed.emptiedPools])
      this.toParentAndPeers({ type: 'AddressUnbind', address }, segment);
    for (const { capability, address } of removed.lostCapabilities) {
      this.toParent({ type: 'CapabilityWithdraw', capabilities: [capability], address });
    }
  }

  /** Whether `peer` may learn the route to `address` (physical addresses are reached by path anyway). */
  #mayLearn(peer: Neighbour, address: string): boolean {
    const location = splitAddress(address)?.location ?? '';
    if (location.charCodeAt(0) === 47 /* '/' */) return true;
    const host = locationHost(location);
    return coveredBy(host, this.#peerLogicals) && (peer.logicals === undefined || coveredBy(host, peer.logicals));
  }

  #requestOn(peer: Neighbour, frame: FameFrame): void {
    controlRequest((env) => peer.link.send(env), (peer.pending ??= new PendingRequests()), frame, {
      replyTo: this.#parts.identity.systemInbox,
      sid: this.#parts.identity.sid,
      timeoutMs: this.#ackTimeoutMs,
    }).catch((error: Error) => peer.link.logger.warn({ err: error, frameType: frame.type }, 'propagating to a peer failed'));
  }
}

/**
 * Whether the host of an address (a logical, or a pool pattern) lies under one of `logicals`:
 * `*` covers all, a logical covers itself, a pool pattern `*.d` covers `d` and the hosts (and
 * pools) below it.
 */
function coveredBy(host: string, logicals: readonly string[]): boolean {
  const plain = isPoolPattern(host) ? (host === '*' ? '' : host.slice(2)) : host;
  for (const logical of logicals) {
    if (logical === '*' || logical === host) return true;
    if (isPoolPattern(logical) && plain !== '' && hostMatchesPool(plain, logical)) return true;
  }
  return false;
}
