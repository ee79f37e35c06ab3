import type { EnvelopeRejection, FameEnvelope, Logger, LogLimiter, NodeSecurity } from '@naylence/core';
import type { Link } from '../link/link.js';
import type { LinkOptions, LinkPeer } from '../link/link-peer.js';
import type { HopSender } from '../routing/forwarder.js';
import type { LinkRef } from '../routing/route-decision.js';
import type { Refusals } from '../routing/refusals.js';
import type { RoutingPolicy } from '../routing/router.js';
import type { AttachInfo, NodeHooks } from './hooks.js';
import type { Identity } from './identity.js';
import type { LocalBindings } from './local-bindings.js';
import type { NodeMetrics } from './metrics.js';
import type { UpstreamSession } from './upstream-session.js';

/**
 * The components every node has, handed to the role that makes a node more than a leaf (the
 * sentinel's child links, routes and peers). Components talk to each other through these, never
 * through a subclass.
 */
export interface NodeParts {
  readonly identity: Identity;
  readonly logger: Logger;
  readonly hooks: readonly NodeHooks[];
  readonly security: NodeSecurity | undefined;
  readonly metrics: NodeMetrics;
  /** Rate limit of warnings peers can trigger at will (shared by the node's components). */
  readonly logLimiter: LogLimiter;
  /** Settings for every link the node opens or accepts (security stages included). */
  readonly linkOptions: Omit<LinkOptions, 'logger'>;
  readonly bindings: LocalBindings;
  readonly refusals: Refusals;
  readonly acceptedLogicals: readonly string[];
  readonly hasParent: boolean;
  /** The session to the parent, once started (undefined for a root). */
  upstream(): UpstreamSession | undefined;
  /** A routed or security frame that arrived over a link: claim, then route. */
  receive(envelope: FameEnvelope, source: LinkPeer): void | Promise<unknown>;
  /** Send an envelope this node generated (acks, NACKs, answers of the security layer). */
  originate(envelope: FameEnvelope, inReplyTo?: FameEnvelope): void;
  /** Log or NACK what a security stage refused on a link. */
  rejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void;
}

/** What a role adds to a node. */
export interface NodeRole {
  /** The routing policy (replaces the leaf's). */
  readonly policy: RoutingPolicy;
  /** Senders to children and peers (the parent is the node's own). */
  senderFor(hop: LinkRef): HopSender | undefined;
  /** After the node started (attached to its parent, if any): open listeners, dial peers. */
  start(): Promise<void>;
  /** Before the node stops. */
  stop(): Promise<void>;
  /** After every (re-)attach of the node to its parent, once its own bindings are announced. */
  afterAttach(info: AttachInfo): Promise<void>;
}

export type NodeRoleFactory = (parts: NodeParts) => NodeRole;
