import type { IncomingConnection, ListenerAddress, ListenerHost, TransportListener } from '@naylence/core';
import type { NodeParts, NodeRole } from '../node/node-role.js';
import type { UpstreamOptions } from '../node/upstream-session.js';
import type { HopSender } from '../routing/forwarder.js';
import { hrwLoadBalancer, loadBalancers, type LoadBalancer } from '../routing/load-balancer.js';
import type { LinkRef } from '../routing/route-decision.js';
import type { RoutingPolicy } from '../routing/router.js';
import { RouteTable } from '../routing/route-table.js';
import { sentinelRoute, type SentinelView } from '../routing/sentinel-policy.js';
import { ChildLinks } from './child-links.js';
import { ControlFrames } from './control-frames.js';
import { LinkTable } from './link-table.js';
import { PeerDialer } from './peer-dialer.js';
import { Propagation } from './propagation.js';

/** Sentinel settings beyond those of every node. */
export interface SentinelSettings {
  /** Transports children and peers attach through (WebSocket, HTTP, in-memory). */
  readonly listeners?: readonly TransportListener[];
  /** Close a link that has not sent a valid NodeAttach within this time. Default 5000 ms. */
  readonly attachTimeoutMs?: number;
  /** How pool members and capability providers are chosen: a name from `loadBalancers` or an instance. Default HRW. */
  readonly loadBalancer?: LoadBalancer | string;
  /**
   * How long a detached child's routes are kept for it to re-attach. During the grace period
   * nothing is routed into the dead link (its addresses answer CHILD_UNREACHABLE, pools and
   * capability routing skip it); after it, the routes are removed (NO_ROUTE). Default 0.
   */
  readonly routeGraceMs?: number;
  /** Envelopes a link may send before its NodeAttach is processed; more are dropped. Default 64. */
  readonly maxPendingEnvelopes?: number;
  /** Wait for acks of binds we send to peers. Default 20 000 ms. */
  readonly ackTimeoutMs?: number;
  /** Other sentinels to peer with (we dial them with originType `peer`). */
  readonly peers?: readonly UpstreamOptions[];
}

/**
 * What makes a node a sentinel, as components: the link table of children and peers, the
 * route table, child-link lifecycle and attach, control frames, propagation, peer dialing,
 * the listeners, and the sentinel routing policy over all of it.
 */
export class SentinelRole implements NodeRole {
  readonly routes = new RouteTable();
  readonly links = new LinkTable();
  readonly policy: RoutingPolicy;
  readonly #parts: NodeParts;
  readonly #children: ChildLinks;
  readonly #peers: PeerDialer;
  readonly #propagation: Propagation;
  readonly #listeners: readonly TransportListener[];
  readonly #peerOptions: readonly UpstreamOptions[];
  #addresses: ListenerAddress[] = [];

  constructor(parts: NodeParts, settings: SentinelSettings) {
    this.#parts = parts;
    this.#listeners = settings.listeners ?? [];
    this.#peerOptions = settings.peers ?? [];
    const lb = settings.loadBalancer;
    const balancer = lb === undefined ? hrwLoadBalancer() : typeof lb === 'string' ? loadBalancers.get(lb)() : lb;
    this.#propagation = new Propagation(parts, this.routes, this.links, settings.ackTimeoutMs ?? 20_000);
    const control = new ControlFrames(parts, this.routes, this.#propagation);
    this.#children = new ChildLinks(parts, this.links, control, this.#propagation, {
      attachTimeoutMs: settings.attachTimeoutMs ?? 5_000,
      routeGraceMs: settings.routeGraceMs ?? 0,
      maxPendingEnvelopes: settings.maxPendingEnvelopes ?? 64,
    });
    this.#peers = new PeerDialer(parts, this.#children, control);
    const links = this.links;
    const view: SentinelView = {
      get physicalPath() {
        return parts.identity.physicalPath;
      },
      hasParent: parts.hasParent,
      routes: this.routes,
      balancer,
      resolveLocal: (destination) => parts.bindings.resolve(destination, parts.identity.physicalPath),
      byCapabilities: (capabilities) => parts.bindings.byCapabilities(capabilities),
      roleOf: (systemId) => links.roleOf(systemId),
      isLive: (systemId) => links.isLive(systemId),
    };
    this.policy = (envelope, source) => sentinelRoute(envelope, source, view);
  }

  get addresses(): readonly ListenerAddress[] {
    return this.#addresses;
  }

  senderFor(hop: LinkRef): HopSender | undefined {
    return this.links.isLive(hop.systemId) ? this.links.get(hop.systemId)!.link : undefined;
  }

  /** Take an inbound connection (listeners call this; tests and in-process topologies may too). */
  accept(connection: IncomingConnection, listener?: TransportListener): void {
    this.#children.accept(connection, listener?.authorizer);
  }

  async start(): Promise<void> {
    this.#children.accepting = true;
    const parts = this.#parts;
    this.#addresses = await Promise.all(
      this.#listeners.map((listener) => {
        const host: ListenerHost = {
          systemId: parts.identity.systemId,
          isReady: () => this.#children.accepting,
          accept: (connection) => this.accept(connection, listener),
          logger: parts.logger,
        };
        return listener.listen(host);
      }),
    );
    for (const options of this.#peerOptions) await this.#peers.dial(options);
  }

  async stop(): Promise<void> {
    this.#children.stop();
    await Promise.allSettled(this.#listeners.map((l) => l.close()));
    await this.#peers.stop();
    await Promise.allSettled(this.links.all().map((n) => n.link.close(1001, 'sentinel shutting down')));
  }

  afterAttach(): Promise<void> {
    return this.#propagation.reannounceToParent();
  }
}
