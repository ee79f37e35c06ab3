import {
  randomId,
  unrefTimer,
  type AttachAckFields,
  type AttachDecision,
  type Authorizer,
  type CloseInfo,
  type FameEnvelope,
  type FameFrame,
  type IncomingConnection,
  type NodeAttachFrame,
} from '@naylence/core';
import { Link } from '../link/link.js';
import { LinkPeer } from '../link/link-peer.js';
import type { ChildInfo } from '../node/hooks.js';
import { controlAck } from '../node/control-request.js';
import type { NodeParts } from '../node/node-role.js';
import { PendingRequests } from '../node/pending-requests.js';
import { lazyChild } from '../util/lazy-logger.js';
import { LogLimiter } from '../util/log-limiter.js';
import type { ControlFrames } from './control-frames.js';
import type { LinkTable, Neighbour } from './link-table.js';
import type { Propagation } from './propagation.js';

export interface ChildLinkSettings {
  readonly attachTimeoutMs: number;
  readonly routeGraceMs: number;
  readonly maxPendingEnvelopes: number;
}

/**
 * The lifecycle of a sentinel's child and peer links: accept, the attach handshake (checks,
 * the listener's `authorizeAttach`, the security component's `authorizeAttach`, NodeAttachAck
 * or a refusal closing 1008), the attach timeout, buffering before the attach completes, and
 * close: routes are withdrawn (after an optional grace period) and everyone is told.
 */
export class ChildLinks {
  readonly #parts: NodeParts;
  readonly #table: LinkTable;
  readonly #control: ControlFrames;
  readonly #propagation: Propagation;
  readonly #settings: ChildLinkSettings;
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #refusalLog = new LogLimiter();
  accepting = false;

  constructor(parts: NodeParts, table: LinkTable, control: ControlFrames, propagation: Propagation, settings: ChildLinkSettings) {
    this.#parts = parts;
    this.#table = table;
    this.#control = control;
    this.#propagation = propagation;
    this.#settings = settings;
  }

  /** Take an accepted connection; it must send a NodeAttach within the attach timeout. */
  accept(connection: IncomingConnection, authorizer: Authorizer | undefined): void {
    if (!this.accepting) {
      void connection.connector.close(1011, 'not ready');
      return;
    }
    const role = connection.originType === 'peer' ? 'peer' : 'downstream';
    const peer = new LinkPeer(role, connection.systemId, connection.authorization);
    const logger = lazyChild(this.#parts.logger, { peer: connection.systemId, originType: connection.originType });
    const link: Link = new Link(
      connection.connector,
      peer,
      {
        onEnvelope: (envelope) => this.#onEnvelope(envelope, n),
        onRejected: (envelope, rejection, direction) => this.#parts.rejected(envelope, rejection, direction, link),
        onClose: (info) => this.#onClosed(n, info),
      },
      { ...this.#parts.linkOptions, logger },
    );
    const n: Neighbour = {
      phase: 'pending',
      link,
      peer,
      buffered: [],
      timer: undefined,
      routingEpoch: '',
      pending: new PendingRequests(),
      authorizer,
    };
    this.#table.addPending(n);
    n.timer = setTimeout(() => {
      if (n.phase !== 'pending') return;
      link.logger.warn(`no valid NodeAttach within ${this.#settings.attachTimeoutMs} ms; closing the link`);
      void link.close(1000, 'normal closure');
    }, this.#settings.attachTimeoutMs);
    unrefTimer(n.timer);
    link.start();
  }

  /**
   * A peer link we dialed attached: it is a neighbour like any other. (A link the peer dialed
   * to us stays open; whichever attached last carries the traffic.)
   */
  adoptDialedPeer(n: Neighbour): void {
    this.#table.attach(n);
    this.#propagation.announceToPeer(n);
  }

  /** A peer link we dialed is gone. */
  dialedPeerLost(n: Neighbour): void {
    if (this.#table.remove(n)) this.#propagation.withdrawRoutes(n.peer.systemId);
  }

  stop(): void {
    this.accepting = false;
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
  }

  #onEnvelope(envelope: FameEnvelope, n: Neighbour): void | Promise<unknown> {
    if (n.phase === 'attached') return this.#control.handle(envelope, n);
    if (n.phase === 'closed') return undefined;
    if (n.phase === 'pending' && envelope.frame.type === 'NodeAttach') return this.#attach(envelope as FameEnvelope<NodeAttachFrame>, n);
    if (n.buffered.length >= this.#settings.maxPendingEnvelopes) {
      n.link.logger.warn({ frameType: envelope.frame.type }, 'dropped an envelope sent before NodeAttach (buffer full)');
    } else n.buffered.push(envelope);
    return undefined;
  }

  async #attach(envelope: FameEnvelope<NodeAttachFrame>, n: Neighbour): Promise<void> {
    const frame = envelope.frame;
    const originType = frame.originType ?? 'downstream';
    const expected = n.peer.role === 'peer' ? 'peer' : 'downstream';
    if (frame.systemId !== n.peer.systemId || originType !== expected) {
      const reason =
        frame.systemId !== n.peer.systemId
          ? `systemId ${frame.systemId} does not match the attach URL (${n.peer.systemId})`
          : `originType ${originType} does not match the attach URL (${expected})`;
      return this.#refuse(envelope, n, reason);
    }
    n.phase = 'attaching';
    clearTimeout(n.timer);
    const decision = await this.#authorize(frame, n);
    if (n.phase !== 'attaching') return; // the link closed meanwhile
    if (!decision.accept) return this.#refuse(envelope, n, decision.reason);

    const systemId = n.peer.systemId;
    const path = n.peer.role === 'peer' ? `/${systemId}` : `${this.#parts.identity.physicalPath}/${systemId}`;
    if (frame.assignedPath !== undefined && frame.assignedPath !== path) {
      n.link.logger.info({ requested: frame.assignedPath, assigned: path }, 'ignored the assignedPath the child asked for');
    }
    this.#replace(this.#table.attach(n));
    n.phase = 'attached';
    n.peer.physicalPath = path;
    n.routingEpoch = randomId();
    const grace = this.#graceTimers.get(systemId);
    if (grace) {
      clearTimeout(grace);
      this.#graceTimers.delete(systemId);
    }
    this.#send(n, envelope, withExtra(this.#ack(envelope, path, n.routingEpoch), decision.ackFields));
    n.link.logger.info({ systemId, path, originType }, 'attached');
    const hooks = this.#parts.hooks;
    if (hooks.length) for (const h of hooks) h.onChildAttached?.(childInfo(n));
    this.#parts.security?.onLinkAttached?.(n.peer);
    if (n.peer.role === 'peer') this.#propagation.announceToPeer(n);
    for (const buffered of n.buffered.splice(0)) void this.#onEnvelope(buffered, n);
  }

  /** The listener's authorizer, then the security component; the first refusal wins. */
  async #authorize(frame: NodeAttachFrame, n: Neighbour): Promise<AttachDecision> {
    try {
      const principal = n.peer.principal;
      let ackFields: AttachAckFields | undefined;
      if (n.authorizer?.authorizeAttach && principal !== undefined) {
        const verdict = await n.authorizer.authorizeAttach(frame, principal);
        if (verdict === false) return { accept: false, reason: 'Attach not authorized' };
        if (verdict !== true && !verdict.accept) return verdict;
        if (verdict !== true) ackFields = verdict.ackFields;
      }
      const security = this.#parts.security;
      if (security?.authorizeAttach === undefined) return { accept: true, ...(ackFields && { ackFields }) };
      const decision = await security.authorizeAttach(frame, n.peer);
      if (!decision.accept) return decision;
      return { accept: true, ackFields: { ...decision.ackFields, ...ackFields } };
    } catch (error) {
      n.link.logger.error({ err: error }, 'attach authorization failed');
      return { accept: false, reason: 'Attach authorization failed' };
    }
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

  #refuse(envelope: FameEnvelope, n: Neighbour, reason: string): void {
    // A peer can retry a refused attach in a loop: at most a burst of lines per period.
    const allowed = this.#refusalLog.check('attach-refused');
    if (allowed !== undefined)
      n.link.logger.warn({ reason, ...(allowed.suppressed > 0 && { suppressed: allowed.suppressed }) }, 'refused a NodeAttach');
    n.phase = 'closed';
    clearTimeout(n.timer);
    const ack = controlAck(envelope, { type: 'NodeAttachAck', ok: false, refId: envelope.id, reason }, this.#parts.identity.sid);
    n.link
      .send(ack, { inReplyTo: envelope })
      .catch(() => undefined)
      .finally(() => void n.link.close(1008, 'attach refused'));
  }

  #send(n: Neighbour, request: FameEnvelope, frame: FameFrame): void {
    n.link
      .send(controlAck(request, frame, this.#parts.identity.sid), { inReplyTo: request })
      .catch((error: Error) => n.link.logger.debug({ err: error, frameType: frame.type }, 'could not send NodeAttachAck'));
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
    clearTimeout(n.timer);
    this.#table.dropPending(n);
    const wasAttached = n.phase === 'attached' || this.#table.get(n.peer.systemId) === n;
    n.phase = 'closed';
    n.pending.failAll(new Error(`link to ${n.peer.systemId} closed`));
    if (!this.#table.remove(n)) return;
    const hooks = this.#parts.hooks;
    if (wasAttached) {
      if (hooks.length) for (const h of hooks) h.onChildDetached?.({ ...childInfo(n), code: info.code, reason: info.reason });
      this.#parts.security?.onLinkClosed?.(n.peer);
    }
    n.link.logger.info({ code: info.code, reason: info.reason }, 'detached');
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
