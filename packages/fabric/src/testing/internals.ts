import type { Link } from '../link/link.js';
import { internalsOf } from '../node/internals.js';
import type { RouteTable } from '../routing/route-table.js';
import type { Neighbour } from '../sentinel/link-table.js';
import type { SentinelRole } from '../sentinel/sentinel-role.js';

/** A sentinel's route table (tests only). */
export function routesOf(sentinel: object): RouteTable {
  return (internalsOf(sentinel).role as SentinelRole).routes;
}

/** The state of one child or peer link of a sentinel (tests only). */
export function neighbourOf(sentinel: object, systemId: string): Neighbour | undefined {
  return (internalsOf(sentinel).role as SentinelRole).links.get(systemId);
}

/** The link of a node to its parent (tests only). */
export function upstreamLinkOf(node: object): Link | undefined {
  return internalsOf(node).upstream()?.link;
}
