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
import { KnownSids } from './known-sids.js';
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
  /**
   * Close a child or peer link whose send queue stays full (it refused envelopes with
   * BACK_PRESSURE and has not drained below half since), or whose socket writes stall, for
   * this long: a slow consumer (close 1008 `slow consumer`). 0 = never. Default 10 000 ms.
   */
  readonly slowConsumerMs?: number;
  /**
   * Logicals whose routes peer sentinels learn (a peer also learns only those under the
   * `acceptedLogicals` of its NodeAttach), e.g. `["fame.fabric", "*.shared.example"]`.
   * Default `["*"]`: every logical.
   */
  readonly peerLogicals?: readonly string[];
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
  readonly #sids = new KnownSids();
  #addresses: ListenerAddress[] = [];

  constructor(parts: NodeParts, settings: SentinelSettings) {
    this.#parts = parts;
    this.#listeners = settings.listeners ?? [];
    this.#peerOptions = settings.peers ?? [];
    const lb = settings.loadBalancer;
    const balancer = lb === undefined ? hrwLoadBalancer() : typeof lb === 'string' ? loadBalancers.get(lb)() : lb;
    this.#propagation = new Propagation(parts, this.routes, this.links, settings.ackTimeoutMs ?? 20_000, settings.peerLogicals ?? ['*']);
    const control = new ControlFrames(parts, this.routes, this.links, this.#propagation, this.#sids);
    this.#children = new ChildLinks(parts, this.links, control, this.#propagation, this.#sids, {
      attachTimeoutMs: settings.attachTimeoutMs ?? 5_000,
      routeGraceMs: settings.routeGraceMs ?? 0,
      maxPendingEnvelopes: settings.maxPendingEnvelopes ?? 64,
      slowConsumerMs: settings.slowConsumerMs ?? 10_000,
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
    this.#children.accept(connection, listener);
  }

  async start(): Promise<void> {
    const parts = this.#parts;
    await this.#sids.adoptOwnPath(parts.identity.physicalPath);
    this.#children.accepting = true;
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

  async afterAttach(): Promise<void> {
    await this.#sids.adoptOwnPath(this.#parts.identity.physicalPath);
    await this.#propagation.reannounceToParent();
  }
}
