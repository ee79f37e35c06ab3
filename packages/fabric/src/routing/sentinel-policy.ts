import { locationHost, splitAddress, type FameEnvelope, type LinkRole } from '@naylence/core';
import type { LocalBinding } from '../node/local-bindings.js';
import { destinationOf, isRoutable } from '@naylence/core';
import type { LoadBalancer } from './load-balancer.js';
import { cameFrom, deliverTo, drop, nack, NO_ROUTE, TO_UPSTREAM, type RouteDecision, type Source } from './route-decision.js';
import type { RouteTable } from './route-table.js';

/** What a sentinel's routing looks at: read-only, no sockets. */
export interface SentinelView {
  readonly physicalPath: string;
  readonly hasParent: boolean;
  readonly routes: RouteTable;
  readonly balancer: LoadBalancer;
  resolveLocal(destination: string): LocalBinding | undefined;
  byCapabilities(capabilities: readonly string[]): LocalBinding | undefined;
  /** The role of an attached child or peer, undefined when none has that id. */
  roleOf(systemId: string): LinkRole | undefined;
  /** Whether that child or peer has an open, attached link. */
  isLive(systemId: string): boolean;
}

/**
 * The routing policy of a sentinel (protocol-core §5.3), a pure function: local binding, then
 * an exact route, then a pool (load-balanced over live members) or the next hop of a physical
 * path, then the parent; otherwise NO_ROUTE. Without `to`, a Data envelope goes to a provider
 * of all its capabilities. A route never leads back to the link the envelope came from, and a
 * dead link is answered with CHILD_UNREACHABLE / PEER_UNREACHABLE instead of being used.
 */
export function sentinelRoute(envelope: FameEnvelope, source: Source, view: SentinelView): RouteDecision {
  const frame = envelope.frame;
  if (!isRoutable(envelope)) return drop(`${frame.type} frames are not routed`);
  const destination = destinationOf(envelope);
  if (destination === undefined) {
    if (frame.type === 'Data' && envelope.capabilities?.length) return byCapability(envelope, envelope.capabilities, source, view);
    return drop('no destination');
  }
  const local = view.resolveLocal(destination);
  if (local !== undefined) return deliverTo(local);

  const owner = view.routes.exact(destination);
  if (owner !== undefined) return toNeighbour(owner.systemId, owner.kind, source, view);

  const parts = splitAddress(destination);
  if (parts !== undefined) {
    const { participant, location } = parts;
    if (location.charCodeAt(0) !== 47 /* '/' */) {
      const members = view.routes.poolMembers(participant, locationHost(location));
      if (members !== undefined) {
        const live = [...members].filter((m) => view.isLive(m) && !cameFrom(source, m));
        if (live.length > 0) return toNeighbour(view.balancer.pick(live, envelope), 'downstream', source, view);
      }
    } else {
      const next = nextHopByPath(location, view);
      if (next === '') return NO_ROUTE;
      if (next !== undefined) return toNeighbour(next, view.roleOf(next) === 'peer' ? 'peer' : 'downstream', source, view);
    }
  }
  return towardsParent(source, view);
}

function byCapability(envelope: FameEnvelope, capabilities: readonly string[], source: Source, view: SentinelView): RouteDecision {
  const local = view.byCapabilities(capabilities);
  if (local !== undefined) return deliverTo(local);
  const providers = view.routes.capabilityProviders(capabilities).filter((s) => view.isLive(s) && !cameFrom(source, s));
  if (providers.length > 0) return toNeighbour(view.balancer.pick(providers, envelope), 'downstream', source, view);
  return towardsParent(source, view);
}

function towardsParent(source: Source, view: SentinelView): RouteDecision {
  return view.hasParent && source?.role !== 'upstream' ? TO_UPSTREAM : NO_ROUTE;
}

function toNeighbour(systemId: string, role: 'downstream' | 'peer', source: Source, view: SentinelView): RouteDecision {
  if (cameFrom(source, systemId)) return drop(`route leads back to ${systemId}, where it came from`);
  if (!view.isLive(systemId)) return nack(role === 'peer' ? 'PEER_UNREACHABLE' : 'CHILD_UNREACHABLE');
  return { kind: 'forward', hop: { role, systemId } };
}

/**
 * The neighbour a physical path leads to: a peer named by its first segment, or the child
 * named by the segment after our own path. `''` means "ours, but nobody is there"; undefined
 * means "not below us".
 */
function nextHopByPath(path: string, view: SentinelView): string | undefined {
  const slash = path.indexOf('/', 1);
  const first = slash < 0 ? path.slice(1) : path.slice(1, slash);
  if (view.roleOf(first) === 'peer') return first;
  const own = view.physicalPath;
  if (path === own) return '';
  if (!path.startsWith(own) || path.charCodeAt(own.length) !== 47) return undefined;
  const end = path.indexOf('/', own.length + 1);
  const child = path.slice(own.length + 1, end < 0 ? undefined : end);
  return view.roleOf(child) !== undefined ? child : '';
}
