import {
  clipText,
  NOOP_LOGGER,
  randomId,
  unrefTimer,
  type AttachAckFields,
  type AttachDecision,
  type Authorizer,
  type CloseInfo,
  type EnvelopeRejection,
  type FameEnvelope,
  type FameFrame,
  type IncomingConnection,
  type NodeAttachFrame,
  type TransportListener,
} from '@naylence/core';
import { Link, SENT, type LinkHandler } from '../link/link.js';
import { LinkPeer, type LinkOptions } from '../link/link-peer.js';
import type { ChildInfo } from '../node/hooks.js';
import { controlAck } from '../node/control-request.js';
import type { NodeParts } from '../node/node-role.js';
import { lazyChild } from '../util/lazy-logger.js';
import { attachFrameProblem, authorizeAttach, takeoverProblem, type AttachRefusal } from './attach-checks.js';
import { AttachDeadlines } from './attach-deadlines.js';
import type { ControlFrames } from './control-frames.js';
import type { KnownSids } from './known-sids.js';
import type { LinkTable, Neighbour } from './link-table.js';
import type { Propagation } from './propagation.js';
import { SlowConsumers } from './slow-consumers.js';

export interface ChildLinkSettings {
  readonly attachTimeoutMs: number;
  readonly routeGraceMs: number;
  readonly maxPendingEnvelopes: number;
  readonly slowConsumerMs: number;
}

/** Close reason of a peer link on a listener that admits no peers. */
export const PEER_NOT_AUTHORIZED = 'Peer attach not authorized';

/**
 * The lifecycle of a sentinel's child and peer links: accept (a `peer` link only through a
 * listener that authenticates peers, or an open one), the attach handshake (checks, system-id
 * ownership, the listener's `authorizeAttach`, the security component's `authorizeAttach`,
 * NodeAttachAck or a refusal closing 1008), the attach timeout, buffering before the attach
 * completes, slow consumers, and close: routes are withdrawn (after an optional grace period)
 * and everyone is told.
 */
export class ChildLinks {
  readonly #parts: NodeParts;
  readonly #table: LinkTable;
  readonly #control: ControlFrames;
  readonly #propagation: Propagation;
  readonly #settings: ChildLinkSettings;
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #sids: KnownSids;
  readonly #slow: SlowConsumers;
  readonly #deadlines: AttachDeadlines<Neighbour>;
  /** One options object for every accepted link (links derive their settings from it once). */
  readonly #linkOptions: LinkOptions;
  /** Routing epochs are this sentinel run's random base and an attach counter (no random id per attach kept). */
  readonly #epochBase = randomId(12);
  #attaches = 0;
  accepting = false;

  /**
   * An accepted child or peer: the neighbour's state and the handler of its link in one object
   * (one per link, no closures).
   */
  static readonly #Accepted = class AcceptedNeighbour implements Neighbour, LinkHandler {
    phase: Neighbour['phase'] = 'pending';
    link!: Link;
    buffered: FameEnvelope[] | undefined;
    /** Which attach of this sentinel this is (its routing epoch, formatted when sent). */
    attachSeq = 0;
    pending: Neighbour['pending'];
    /** (a getter: no field per link for a constant) */
    get dialed(): boolean {
      return false;
    }
    logicals: readonly string[] | undefined;
    sid: string | undefined;
    constructor(
      readonly links: ChildLinks,
      readonly peer: LinkPeer,
      readonly authorizer: Authorizer | undefined,
    ) {}
    /** A fresh routing epoch per attach (every re-attaching reference child then re-binds). */
    get routingEpoch(): string {
      return `${this.links.#epochBase}.${this.attachSeq.toString(36)}`;
    }
    onEnvelope(envelope: FameEnvelope): void | Promise<unknown> {
      return this.links.#onEnvelope(envelope, this);
    }
    onRejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void {
      this.links.#parts.rejected(envelope, rejection, direction, link);
    }
    onClose(info: CloseInfo): void {
      this.links.#onClosed(this, info);
    }
  };

  constructor(
    parts: NodeParts,
    table: LinkTable,
    control: ControlFrames,
    propagation: Propagation,
    sids: KnownSids,
    settings: ChildLinkSettings,
  ) {
    this.#parts = parts;
    this.#table = table;
    this.#control = control;
    this.#propagation = propagation;
    this.#sids = sids;
    this.#settings = settings;
    this.#slow = new SlowConsumers(settings.slowConsumerMs, parts.logger, parts.logLimiter, parts.metrics);
    this.#linkOptions = { ...parts.linkOptions, logger: parts.logger, watch: this.#slow };
    this.#deadlines = new AttachDeadlines(settings.attachTimeoutMs, (n) => this.#attachTimedOut(n));
  }

  /**
   * Take an accepted connection; it must send a NodeAttach within the attach timeout. A `peer`
   * connection from a listener that authenticates children but not peers is refused (1008).
   */
  accept(connection: IncomingConnection, listener: TransportListener | undefined): void {
    if (!this.accepting) {
      void connection.connector.close(1011, 'not ready');
      return;
    }
    const role = connection.originType === 'peer' ? 'peer' : 'downstream';
    let authorizer = listener?.authorizer;
    if (role === 'peer' && listener?.peerAuthorizer !== undefined) authorizer = listener.peerAuthorizer;
    else if (role === 'peer' && authorizer !== undefined) {
      this.#parts.metrics.attachRefusals += 1;
      this.#parts.logLimiter.log(
        this.#parts.logger,
        'warn',
        'peer-refused',
        { peer: connection.systemId },
        'refused a peer link: the listener admits no peers',
      );
      void connection.connector.close(1008, PEER_NOT_AUTHORIZED);
      return;
    }
    const peer = new LinkPeer(role, connection.systemId, connection.authorization);
    const parent = this.#parts.logger;
    const logger =
      parent === NOOP_LOGGER ? parent : lazyChild(parent, { peer: clipText(connection.systemId), originType: connection.originType });
    const n = new ChildLinks.#Accepted(this, peer, authorizer);
    n.link = new Link(connection.connector, peer, n, this.#linkOptions, logger);
    const link = n.link;
    this.#table.addPending(n);
    this.#deadlines.add(n);
    link.start();
  }

  /**
   * A peer link we dialed attached: it is a neighbour like any other. (A link the peer dialed
   * to us stays open; whichever attached last carries the traffic.)
   */
  adoptDialedPeer(n: Neighbour): void {
    this.#table.attach(n);
    this.#learnSid(n);
    this.#propagation.announceToPeer(n);
  }

  /** A peer link we dialed is gone. */
  dialedPeerLost(n: Neighbour): void {
    if (!this.#table.remove(n)) return;
    this.#sids.removeNeighbour(n.peer.systemId, n.sid);
    this.#propagation.withdrawRoutes(n.peer.systemId);
  }

  stop(): void {
    this.accepting = false;
    this.#slow.stop();
    this.#deadlines.stop();
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
  }

  #attachTimedOut(n: Neighbour): void {
    if (n.phase !== 'pending') return;
    this.#parts.logLimiter.log(
      n.link.logger,
      'warn',
      'attach-timeout',
      {},
      `no valid NodeAttach within ${this.#settings.attachTimeoutMs} ms; closing the link`,
    );
    void n.link.close(1000, 'normal closure');
  }

  #onEnvelope(envelope: FameEnvelope, n: Neighbour): void | Promise<unknown> {
    if (n.phase === 'attached') return this.#control.handle(envelope, n);
    if (n.phase === 'closed') return undefined;
    if (n.phase === 'pending' && envelope.frame.type === 'NodeAttach') return this.#attach(envelope as FameEnvelope<NodeAttachFrame>, n);
    const buffered = (n.buffered ??= []);
    if (buffered.length >= this.#settings.maxPendingEnvelopes) {
      this.#parts.logLimiter.log(
        n.link.logger,
        'warn',
        'pending-buffer-full',
        { frameType: envelope.frame.type },
        'dropped an envelope sent before NodeAttach (buffer full)',
      );
    } else buffered.push(envelope);
    return undefined;
  }

  /** Checks, then authorization (synchronous when nothing asynchronous is configured), then the ack. */
  #attach(envelope: FameEnvelope<NodeAttachFrame>, n: Neighbour): void | Promise<void> {
    const frame = envelope.frame;
    const problem = attachFrameProblem(frame, n);
    if (problem !== undefined) return this.#refuse(envelope, n, problem);
    n.phase = 'attaching';
    this.#deadlines.delete(n);
    const decision = this.#authorize(frame, n);
    if (decision instanceof Promise) return decision.then((settled) => this.#decided(envelope, n, settled));
    this.#decided(envelope, n, decision);
  }

  #decided(envelope: FameEnvelope<NodeAttachFrame>, n: Neighbour, decision: AttachDecision): void {
    if (n.phase !== 'attaching') return; // the link closed meanwhile
    if (!decision.accept) return this.#refuse(envelope, n, { reason: decision.reason });
    // Checked after authorization: a subject that may replace a live link must first be verified.
    const taken = takeoverProblem(this.#table, n);
    if (taken !== undefined) return this.#refuse(envelope, n, taken);

    const frame = envelope.frame;
    // The same id as the attach URL's (checked before authorization), but a string of its own:
    // the URL's slice would keep the whole URL alive.
    if (frame.systemId === n.peer.systemId) n.peer.systemId = frame.systemId;
    const systemId = n.peer.systemId;
    const path = n.peer.role === 'peer' ? `/${systemId}` : `${this.#parts.identity.physicalPath}/${systemId}`;
    if (frame.assignedPath !== undefined && frame.assignedPath !== path) {
      n.link.logger.info({ requested: frame.assignedPath, assigned: path }, 'ignored the assignedPath the child asked for');
    }
    this.#replace(this.#table.attach(n));
    n.phase = 'attached';
    n.peer.physicalPath = path;
    if (n instanceof ChildLinks.#Accepted) n.attachSeq = ++this.#attaches;
    // only a peer's logicals are ever consulted (what routes it learns)
    if (n.peer.role === 'peer') n.logicals = frame.acceptedLogicals;
    this.#learnSid(n);
    if (this.#graceTimers.size > 0) {
      const grace = this.#graceTimers.get(systemId);
      if (grace) {
        clearTimeout(grace);
        this.#graceTimers.delete(systemId);
      }
    }
    this.#send(n, envelope, withExtra(this.#ack(envelope, path, n.routingEpoch), decision.ackFields));
    n.link.logger.info({ systemId, path, originType: n.peer.role }, 'attached');
    const hooks = this.#parts.hooks;
    if (hooks.length) for (const h of hooks) h.onChildAttached?.(childInfo(n));
    this.#parts.security?.onLinkAttached?.(n.peer);
    if (n.peer.role === 'peer') this.#propagation.announceToPeer(n);
    const buffered = n.buffered;
    n.buffered = undefined;
    if (buffered !== undefined) for (const early of buffered) void this.#onEnvelope(early, n);
  }

  /** Registers the neighbour's sid (see `KnownSids`). */
  #learnSid(n: Neighbour): void {
    const systemId = n.peer.systemId;
    const sid = this.#sids.addNeighbour(systemId, n.peer.physicalPath, () => this.#table.get(systemId) === n && n.phase === 'attached');
    if (!(sid instanceof Promise)) n.sid = sid;
    else
      void sid.then((later) => {
        if (later !== undefined) n.sid = later;
      });
  }

  /** The listener's authorizer, then the security component; the first refusal wins. */
  #authorize(frame: NodeAttachFrame, n: Neighbour): AttachDecision | Promise<AttachDecision> {
    if (n.authorizer?.authorizeAttach === undefined && this.#parts.security?.authorizeAttach === undefined) return ACCEPT;
    return authorizeAttach(frame, n, this.#parts.security).catch((error: unknown) => {
      n.link.logger.error({ err: error }, 'attach authorization failed');
      return { accept: false, reason: 'Attach authorization failed' } as const;
    });
  }

  #ack(request: FameEnvelope, assignedPath: string, routingEpoch: string): FameFrame {
    const identity = this.#parts.identity;
    return {
      type: 'NodeAttachAck',
      ok: true,
      refId: request.id,
      targetSystemId: identity.systemId,
      assignedPath,
      targetPhysicalPath: identity.physicalPath,
      routingEpoch,
    };
  }

  #refuse(envelope: FameEnvelope, n: Neighbour, refusal: AttachRefusal): void {
    const { reason, code } = refusal;
    this.#parts.metrics.attachRefusals += 1;
    this.#parts.logLimiter.log(n.link.logger, 'warn', 'attach-refused', { reason: clipText(reason, 200), code }, 'refused a NodeAttach');
    n.phase = 'closed';
    this.#deadlines.delete(n);
    const frame = { type: 'NodeAttachAck', ok: false, refId: envelope.id, ...(code !== undefined && { code }), reason } as const;
    const ack = controlAck(envelope, frame, this.#parts.identity.sid);
    n.link
      .send(ack, { inReplyTo: envelope })
      .catch(() => undefined)
      .finally(() => void n.link.close(1008, 'attach refused'));
  }

  #send(n: Neighbour, request: FameEnvelope, frame: FameFrame): void {
    const sent = n.link.send(controlAck(request, frame, this.#parts.identity.sid), { inReplyTo: request });
    if (sent !== SENT)
      sent.catch((error: Error) => n.link.logger.debug({ err: error, frameType: frame.type }, 'could not send NodeAttachAck'));
  }

  #replace(previous: Neighbour | undefined): void {
    if (previous === undefined) return;
    previous.link.logger.warn(
      { systemId: previous.peer.systemId },
      'a second link attached with the same system id; replacing the old link',
    );
    previous.phase = 'closed';
    void previous.link.close(1000, 'replaced by a new attach');
  }

  #onClosed(n: Neighbour, info: CloseInfo): void {
    this.#deadlines.delete(n);
    this.#table.dropPending(n);
    const wasAttached = n.phase === 'attached' || this.#table.get(n.peer.systemId) === n;
    n.phase = 'closed';
    n.pending?.failAll(new Error(`link to ${n.peer.systemId} closed`));
    if (!this.#table.remove(n)) return;
    this.#sids.removeNeighbour(n.peer.systemId, n.sid);
    const hooks = this.#parts.hooks;
    if (wasAttached) {
      if (hooks.length) for (const h of hooks) h.onChildDetached?.({ ...childInfo(n), code: info.code, reason: info.reason });
      this.#parts.security?.onLinkClosed?.(n.peer);
    }
    n.link.logger.info({ code: info.code, reason: clipText(info.reason) }, 'detached');
    const systemId = n.peer.systemId;
    if (this.#settings.routeGraceMs > 0 && this.accepting) {
      const timer = setTimeout(() => {
        this.#graceTimers.delete(systemId);
        if (this.#table.get(systemId) === undefined) this.#propagation.withdrawRoutes(systemId);
      }, this.#settings.routeGraceMs);
      unrefTimer(timer);
      this.#graceTimers.set(systemId, timer);
    } else this.#propagation.withdrawRoutes(systemId);
  }
}

const ACCEPT: AttachDecision = Object.freeze({ accept: true });

function childInfo(n: Neighbour): ChildInfo {
  return { systemId: n.peer.systemId, physicalPath: n.peer.physicalPath, role: n.peer.role === 'peer' ? 'peer' : 'downstream' };
}

/** `frame` with the members of `extra` it does not have yet (a decision adds members, never replaces). */
function withExtra(frame: FameFrame, extra: AttachAckFields | undefined): FameFrame {
  if (extra === undefined) return frame;
  const out = frame as Record<string, unknown>;
  for (const [key, value] of Object.entries(extra)) if (!(key in out) && value !== undefined) out[key] = value;
  return frame;
}
