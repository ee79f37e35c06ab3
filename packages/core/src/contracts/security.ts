import type { FameError } from '../errors.js';
import type { FameEnvelope } from '../wire/envelope.js';
import type { NodeAttachAckFrame, NodeAttachFrame } from '../wire/frames.js';
import type { AttachDecision, AuthorizationContext } from './auth.js';
import type { Logger } from './logger.js';
import type { EnforcedProfiles } from '../profiles.js';

/**
 * The security seam: where envelope security (signing, encryption, key exchange) and attach
 * authorization plug into a node without touching routing. The fabric calls a {@link
 * NodeSecurity} at fixed points; every member is optional and an absent one costs one property
 * check, so the default ({@link NO_SECURITY}) adds nothing measurable per envelope.
 *
 * Where each stage runs, per hop (CreditUpdate is link-level flow control and never passes a
 * stage):
 * - `inbound`: every envelope arriving over a link, before anything else looks at it;
 * - `claim`: a security-owned frame (KeyRequest, KeyAnnounce, SecureOpen/Accept/Close) after
 *   `inbound`, before routing;
 * - `deliver`: before an envelope is handed to a local handler;
 * - `outbound`: every envelope leaving over a link, exactly once per hop, whether this node
 *   originated it (Data, replies, acks, NACKs, control frames, control acks, attach frames) or
 *   forwards it.
 */

/** Which side of a node a link leads to: its parent, one of its children, or a peer sentinel. */
export type LinkRole = 'upstream' | 'downstream' | 'peer';

/** Where an envelope came from: this node (`local`) or a link of that role. */
export type EnvelopeOrigin = 'local' | LinkRole;

/** One link as security sees it: the same object for the link's life. */
export interface SecurityLink {
  readonly role: LinkRole;
  /** The neighbour's system id (`''` on a link this node dialed, until the attach completes). */
  readonly systemId: string;
  /** The neighbour's physical path; `''` until the attach completes. */
  readonly physicalPath: string;
  /** Who the listener authenticated (token claims); undefined on links this node dialed. */
  readonly principal: AuthorizationContext | undefined;
}

/** The node a stage runs in (read live: the path changes on re-attach). */
export interface NodeIdentity {
  readonly systemId: string;
  readonly physicalPath: string;
  readonly sid: string | undefined;
}

/** What a stage knows about one envelope at one hop. */
export interface EnvelopeContext {
  readonly node: NodeIdentity;
  /** `local`: originated here. Otherwise the side it arrived from (outbound: it is forwarded). */
  readonly origin: EnvelopeOrigin;
  /** inbound/claim/deliver: the link it arrived on (undefined if local); outbound: the next hop. */
  readonly link: SecurityLink | undefined;
  /** Whether it answers something (a reply, DeliveryAck, NACK, control ack). */
  readonly response: boolean;
  /** Outbound responses: the request answered, as it reached this node (for "mirror" rules). */
  readonly inReplyTo: FameEnvelope | undefined;
  /**
   * `claim` only: whether this node's routing would deliver the frame to one of its own bindings
   * (it is addressed here, e.g. a SecureOpen to an address this node serves) rather than route it
   * on. Absent in the other stages.
   */
  readonly forThisNode?: boolean;
}

/** What a stage answers instead of an envelope: drop it (with a log line) or NACK its sender. */
export class EnvelopeRejection {
  /**
   * @param error why; a NACK carries `ERROR_CODES[error.code].deliveryAck` as its code (an error
   *   without that mapping is dropped instead). Refusing an envelope this node originates
   *   rejects the caller's `send` with `error`.
   */
  constructor(
    readonly action: 'drop' | 'nack',
    readonly error: FameError,
  ) {}
}

/** An envelope to go on with (possibly a new, transformed one), or a rejection. */
export type StageResult = FameEnvelope | EnvelopeRejection;

/**
 * One stage. A promise defers the envelope (e.g. until a key arrives; a deferred envelope does
 * not hold back later ones, so a stage that needs order keeps it itself); throwing = drop.
 * A stage never modifies the envelope it is given: it returns a new one to transform it.
 */
export type SecurityStage = (envelope: FameEnvelope, context: EnvelopeContext) => StageResult | Promise<StageResult>;

/** What the node lends its security component. */
export interface SecurityHost {
  readonly node: NodeIdentity;
  readonly logger: Logger;
  /** Originate an envelope, routed by `to` (it passes `outbound` like any other). */
  send(envelope: FameEnvelope, options?: { readonly inReplyTo?: FameEnvelope }): Promise<void>;
  /** Originate an envelope straight down one attached link (e.g. a KeyRequest to the parent, or to the peer an envelope came from). */
  sendVia(link: SecurityLink, envelope: FameEnvelope, options?: { readonly inReplyTo?: FameEnvelope }): Promise<void>;
}

/** Envelope security and attach authorization of one node. Implementations: `@naylence/security`. */
export interface NodeSecurity {
  readonly name: string;
  /** Profiles this component enforces beyond the built-in ones (`createFabric` checks them). */
  readonly enforces?: Partial<EnforcedProfiles>;
  start?(host: SecurityHost): void | Promise<void>;
  stop?(): void | Promise<void>;
  readonly inbound?: SecurityStage;
  readonly deliver?: SecurityStage;
  readonly outbound?: SecurityStage;
  /** A security-owned frame reached this node: true = consumed here, false = route it on. */
  claim?(envelope: FameEnvelope, context: EnvelopeContext): boolean | Promise<boolean>;
  /** Child side: members to add to our NodeAttach (e.g. `keys`). */
  attachFields?(link: SecurityLink): Partial<NodeAttachFrame> | Promise<Partial<NodeAttachFrame>>;
  /** Child side: the parent accepted us; throw (a FameError) to refuse its NodeAttachAck. */
  checkAttachAck?(ack: NodeAttachAckFrame, link: SecurityLink): void | Promise<void>;
  /** Parent side: admit a NodeAttach arriving on `link` (`link.principal` = its token claims). */
  authorizeAttach?(attach: NodeAttachFrame, link: SecurityLink): AttachDecision | Promise<AttachDecision>;
  /** Any link (upstream, child, peer) finished attaching, or closed after attaching. */
  onLinkAttached?(link: SecurityLink): void;
  onLinkClosed?(link: SecurityLink): void;
}

/** The default: no stage, nothing checked, nothing added. */
export const NO_SECURITY: NodeSecurity = Object.freeze({ name: 'none' });
