import type { IncomingConnection, ListenerAddress } from '@naylence/core';
import { internalsOf } from '../node/internals.js';
import { FameNode } from '../node/node.js';
import type { NodeOptions } from '../node/node-options.js';
import { SentinelRole, type SentinelSettings } from './sentinel-role.js';

export interface SentinelOptions extends NodeOptions, SentinelSettings {}

/**
 * A node that accepts children (agents, clients, other sentinels) and peers, keeps a routing
 * table from their binds and advertisements, and routes envelopes between them, its own local
 * bindings and its parent (protocol-core §4.5–§4.6, §5).
 *
 * It is a {@link FameNode} built with the sentinel role's components (see `SentinelRole`): it
 * overrides nothing, it only adds the sentinel's API.
 *
 * Deliberate differences from the reference, none visible to honest peers:
 * - when a child's link closes its routes are withdrawn (after `routeGraceMs`), so nothing is
 *   routed into a dead link;
 * - `ttl` is decremented per hop and an envelope at 0 is dropped with a NACK, so a
 *   misconfigured mesh cannot loop forever;
 * - each attach gets a fresh routing epoch, so every re-attaching reference child re-binds;
 * - the child's physical path is always derived here, never taken from its NodeAttach;
 * - a NodeAttach whose system id differs from the attach URL is refused at once (ack ok:false,
 *   close 1008) instead of timing out.
 */
export class Sentinel extends FameNode {
  readonly #role: SentinelRole;

  constructor(options: SentinelOptions = {}) {
    let role: SentinelRole | undefined;
    super(options, (parts) => (role = new SentinelRole(parts, options)));
    this.#role = role!;
    internalsOf(this).role = role;
  }

  /** Where each listener can be reached, after `start()`. */
  get addresses(): readonly ListenerAddress[] {
    return this.#role.addresses;
  }

  /** System ids of attached children and peers. */
  get linkedSystemIds(): string[] {
    return this.#role.links.ids;
  }

  /**
   * Take an inbound connection (listeners call this; in-process topologies may too). It must
   * send a NodeAttach within the attach timeout.
   */
  accept(connection: IncomingConnection): void {
    this.#role.accept(connection);
  }
}
