import { destinationOf, type FameEnvelope } from '@naylence/core';
import type { LocalBinding } from '../node/local-bindings.js';
import { deliverTo, NO_ROUTE, TO_UPSTREAM, type RouteDecision, type Source } from './route-decision.js';

/** What a leaf node's routing looks at. */
export interface LeafView {
  resolveLocal(destination: string): LocalBinding | undefined;
  byCapabilities(capabilities: readonly string[]): LocalBinding | undefined;
  readonly hasUpstream: boolean;
}

/**
 * Routing of a node without children: deliver to a local binding (by address, or by
 * capability when `to` is absent); send anything else it originates to its parent; NACK what
 * arrives for an address it does not serve.
 */
export function leafRoute(envelope: FameEnvelope, source: Source, view: LeafView): RouteDecision {
  const destination = destinationOf(envelope);
  let local: LocalBinding | undefined;
  if (destination !== undefined) local = view.resolveLocal(destination);
  else if (envelope.frame.type === 'Data' && envelope.capabilities?.length) local = view.byCapabilities(envelope.capabilities);
  if (local !== undefined) return deliverTo(local);
  return source === undefined && view.hasUpstream ? TO_UPSTREAM : NO_ROUTE;
}
