import {
  EnvelopeRejection,
  FameError,
  isFameError,
  isResponse,
  type LogLimiter,
  type AuthorizationContext,
  type EnvelopeContext,
  type EnvelopeOrigin,
  type FameEnvelope,
  type LinkRole,
  type Logger,
  type NodeIdentity,
  type SecurityLink,
  type SecurityStage,
} from '@naylence/core';

import type { NodeMetrics } from '../node/metrics.js';

/**
 * The neighbour at the other end of a link, as the node and its security see it. One object
 * per link for its whole life: the system id of a parent we dialed and every physical path
 * are filled in when the attach completes, and the authenticated principal of an accepted
 * link stays here for later decisions (binds, peer links, security stages).
 */
export class LinkPeer implements SecurityLink {
  systemId: string;
  physicalPath = '';
  constructor(
    readonly role: LinkRole,
    systemId: string,
    readonly principal: AuthorizationContext | undefined,
  ) {
    this.systemId = systemId;
  }
}

/** The node's security stages a link runs on every envelope it receives or sends. */
export interface LinkStages {
  readonly node: NodeIdentity;
  readonly inbound: SecurityStage | undefined;
  readonly outbound: SecurityStage | undefined;
}

/** Settings of one link. */
export interface LinkOptions {
  readonly logger: Logger;
  /** The node's security stages; absent = none. */
  readonly stages?: LinkStages | undefined;
  /** Largest envelope sent or accepted, in bytes. Default 256 KiB. */
  readonly maxEnvelopeBytes?: number;
  /** Envelopes that may wait for credit or for the transport before `send` fails with BACK_PRESSURE. Default 4096. */
  readonly maxQueuedEnvelopes?: number;
  /** Bytes that may wait likewise. Default 32 MiB. */
  readonly maxQueuedBytes?: number;
  /** False disables credit flow control (no waiting, no CreditUpdates), like `FAME_FLOW_CONTROL=0`. Default true. */
  readonly flowControl?: boolean;
  /** Flows a link keeps state for, on each side (peers choose flow ids); idle ones are forgotten past it. Default 4096. */
  readonly maxFlows?: number;
  /** Undecodable envelopes within `invalidWindowMs` that close the link (1007); 0 = never close. Default 10. */
  readonly maxInvalidEnvelopes?: number;
  /** Window of `maxInvalidEnvelopes`. Default 10 000 ms. */
  readonly invalidWindowMs?: number;
  /** Told whenever the link's send queue becomes full or its transport stops draining, and when that ends. */
  readonly watch?: StallWatch;
  /** Rate limit of the link's warnings (shared by a node's links). Default: one per link. */
  readonly logLimiter?: LogLimiter;
  /** The node's counters. */
  readonly metrics?: NodeMetrics;
}

/** The link settings a node's user chooses (the rest is the node's wiring). */
export type LinkSettings = Omit<LinkOptions, 'logger' | 'stages' | 'watch' | 'logLimiter' | 'metrics'>;

/** Watches links for stalls (see `Link.stalledSince`), e.g. to close slow consumers. */
export interface StallWatch {
  update(link: WatchedLink): void;
}

/** What a {@link StallWatch} sees of a link. */
export interface WatchedLink {
  readonly peer: LinkPeer;
  readonly logger: Logger;
  readonly isOpen: boolean;
  /** ms since epoch; 0 = not stalled. */
  readonly stalledSince: number;
  readonly stallReason: 'queue full' | 'writes stalled' | undefined;
  readonly queued: { readonly envelopes: number; readonly bytes: number };
  close(code: number, reason: string): Promise<void>;
}

/** How one envelope is sent over a link. */
export interface LinkSendOptions {
  /**
   * The flow an envelope without `flowId` travels on. Default: `reply` for responses (see
   * `sentAsResponse`), else the link's own flow, so a peer withholding credit for our requests
   * can never hold back the replies it waits for.
   */
  readonly lane?: 'default' | 'reply';
  /** `local` (default): this node originated it; otherwise the side it was forwarded from. */
  readonly origin?: EnvelopeOrigin;
  /** The request a response answers, as it reached this node (for the security stage). */
  readonly inReplyTo?: FameEnvelope | undefined;
}

/**
 * Whether `envelope`, sent with `options`, travels as a response (the reply lane, served first).
 * For an envelope this node originates the caller says so (`inReplyTo`, or a response frame such
 * as an ack); a forwarded one is judged by its headers (`isResponse`).
 */
export function sentAsResponse(envelope: FameEnvelope, options: LinkSendOptions | undefined): boolean {
  if (options?.lane !== undefined) return options.lane === 'reply';
  if ((options?.origin ?? 'local') !== 'local') return isResponse(envelope);
  return options?.inReplyTo !== undefined || (envelope.frame.type !== 'Data' && isResponse(envelope));
}

export function stageContext(
  node: NodeIdentity,
  origin: EnvelopeOrigin,
  link: SecurityLink | undefined,
  response: boolean,
  inReplyTo: FameEnvelope | undefined,
): EnvelopeContext {
  return { node, origin, link, response, inReplyTo };
}

/** A stage that threw: the envelope is dropped (fail closed) with the error as the reason. */
export function thrownRejection(error: unknown): EnvelopeRejection {
  const fame = isFameError(error)
    ? error
    : new FameError('INTERNAL_ERROR', `security stage failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
  return new EnvelopeRejection('drop', fame);
}
