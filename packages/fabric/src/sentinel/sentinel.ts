import {
  isReservedParticipant,
  randomId,
  type AuthorizationContext,
  type CloseInfo,
  type FameEnvelope,
  type FameFrame,
  type InboundLink,
  type ListenerAddress,
  type NodeAttachFrame,
  type OriginType,
  type TransportListener,
  lazyChild,
} from '@naylence/core';
import { Link, type SendOptions } from '../link/link.js';
import { controlAck, controlRequest } from '../node/control-request.js';
import type { AttachInfo, ChildInfo, ForwardTarget } from '../node/hooks.js';
import { FameNode, type EnvelopeSender, type Origin } from '../node/node.js';
import type { NodeOptions } from '../node/node-options.js';
import { PendingRequests } from '../node/pending-requests.js';
import { UpstreamSession, type UpstreamOptions } from '../node/upstream-session.js';
import { unref } from '../util/timers.js';
import { hrwLoadBalancer, loadBalancers, type LoadBalancer } from './load-balancer.js';
import { RouteTable } from './route-table.js';

export interface SentinelOptions extends NodeOptions {
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
  /** Wait for acks of binds we send to peers. Default 20 000 ms. */
  readonly ackTimeoutMs?: number;
  /** Other sentinels to peer with (we dial them with originType `peer`). */
  readonly peers?: readonly UpstreamOptions[];
}

/** One child or peer link, from accept (or dial, for peers) to close. */
interface LinkState {
  phase: 'pending' | 'attached' | 'closed';
  systemId: string;
  originType: OriginType;
  readonly link: Link;
  readonly authorization: AuthorizationContext | undefined;
  readonly buffered: FameEnvelope[];
  timer: ReturnType<typeof setTimeout> | undefined;
  physicalPath: string;
  routingEpoch: string;
  /** Acks to control requests we send on this link (binds to peers). */
  readonly pending: PendingRequests;
  origin: Origin;
}

const ROUTABLE = new Set(['Data', 'DeliveryAck', 'SecureOpen', 'SecureAccept', 'SecureClose', 'KeyRequest']);
const CONTROL_ACKS = new Set(['AddressBindAck', 'AddressUnbindAck', 'CapabilityAdvertiseAck', 'CapabilityWithdrawAck']);

/**
 * A node that accepts children (agents, clients, other sentinels) and peers, keeps a routing
 * table from their binds and advertisements, and routes envelopes between them, its own local
 * bindings and its parent (protocol-core §4.5–§4.6, §5).
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
  readonly routes = new RouteTable();
  readonly #links = new Map<string, LinkState>();
  readonly #pendingLinks = new Set<LinkState>();
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #listeners: readonly TransportListener[];
  readonly #attachTimeoutMs: number;
  readonly #graceMs: number;
  readonly #maxPending: number;
  readonly #ackTimeoutMs: number;
  readonly #balancer: LoadBalancer;
  readonly #peerOptions: readonly UpstreamOptions[];
  readonly #peerSessions: UpstreamSession[] = [];
  #listening: ListenerAddress[] = [];
  #accepting = false;

  constructor(options: SentinelOptions = {}) {
    super(options);
    this.#listeners = options.listeners ?? [];
    this.#attachTimeoutMs = options.attachTimeoutMs ?? 5_000;
    this.#graceMs = options.routeGraceMs ?? 0;
    this.#maxPending = options.maxPendingEnvelopes ?? 64;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 20_000;
    this.#peerOptions = options.peers ?? [];
    const lb = options.loadBalancer;
    this.#balancer = lb === undefined ? hrwLoadBalancer() : typeof lb === 'string' ? loadBalancers.get(lb)() : lb;
  }

  /** Where each listener can be reached, after `start()`. */
  get addresses(): readonly ListenerAddress[] {
    return this.#listening;
  }

  /** System ids of attached children and peers. */
  get linkedSystemIds(): string[] {
    return [...this.#links.keys()];
  }

  override async start(): Promise<void> {
    await super.start();
    this.#accepting = true;
    const host = {
      systemId: this.systemId,
      isReady: () => this.#accepting,
      accept: (link: InboundLink) => this.accept(link),
      logger: this.logger,
    };
    try {
      this.#listening = await Promise.all(this.#listeners.map((l) => l.listen(host)));
      for (const options of this.#peerOptions) await this.#dialPeer(options);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  override async stop(): Promise<void> {
    this.#accepting = false;
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    await Promise.allSettled(this.#listeners.map((l) => l.close()));
    await Promise.allSettled(this.#peerSessions.map((s) => s.stop()));
    const states = [...this.#links.values(), ...this.#pendingLinks];
    await Promise.allSettled(states.map((s) => s.link.close(1001, 'sentinel shutting down')));
    await super.stop();
  }

  /**
   * Take an inbound link (listeners call this; tests and in-process topologies may too).
   * The link must send a NodeAttach within the attach timeout.
   */
  accept(inbound: InboundLink): void {
    if (!this.#accepting) {
      void inbound.connector.close(1011, 'not ready');
      return;
    }
    const origin = inbound.originType === 'peer' ? 'peer' : 'child';
    const link: Link = new Link(
      inbound.connector,
      { onEnvelope: (env) => this.#onLinkEnvelope(env, state), onClose: (info) => this.#onLinkClosed(state, info) },
      { ...this.linkOptions, logger: lazyChild(this.logger, { peer: inbound.systemId, originType: inbound.originType }) },
    );
    const state: LinkState = {
      phase: 'pending',
      systemId: inbound.systemId,
      originType: inbound.originType,
      link,
      authorization: inbound.authorization,
      buffered: [],
      timer: undefined,
      physicalPath: '',
      routingEpoch: '',
      pending: new PendingRequests(),
      origin: { kind: origin, systemId: inbound.systemId, link },
    };
    this.#pendingLinks.add(state);
    state.timer = setTimeout(() => {
      if (state.phase !== 'pending') return;
      link.logger.warn(`no valid NodeAttach within ${this.#attachTimeoutMs} ms; closing the link`);
      void link.close(1000, 'normal closure');
    }, this.#attachTimeoutMs);
    unref(state.timer);
    link.start();
  }

  // ---- child and peer links --------------------------------------------------------------

  #onLinkEnvelope(envelope: FameEnvelope, state: LinkState): void | Promise<unknown> {
    if (state.phase === 'pending') {
      if (envelope.frame.type === 'NodeAttach') return this.#onAttach(envelope as FameEnvelope<NodeAttachFrame>, state);
      if (state.buffered.length >= this.#maxPending) {
        state.link.logger.warn({ frameType: envelope.frame.type }, 'dropped an envelope sent before NodeAttach (buffer full)');
      } else state.buffered.push(envelope);
      return undefined;
    }
    if (state.phase === 'closed') return undefined;
    const origin = state.origin;
    if (this.hooks.length)
      for (const h of this.hooks)
        h.onEnvelopeReceived?.(envelope, { kind: origin.kind === 'peer' ? 'peer' : 'child', systemId: state.systemId });
    const frame = envelope.frame;
    switch (frame.type) {
      case 'AddressBind':
        return this.#onBind(envelope, frame.address, state);
      case 'AddressUnbind':
        return this.#onUnbind(envelope, frame.address, state);
      case 'CapabilityAdvertise':
        return this.#onAdvertise(envelope, frame.capabilities, frame.address, state);
      case 'CapabilityWithdraw':
        return this.#onWithdraw(envelope, frame.capabilities, frame.address, state);
      case 'NodeHeartbeat':
        this.#reply(
          state,
          controlAck(
            envelope,
            {
              type: 'NodeHeartbeatAck',
              ok: true,
              refId: envelope.id,
              ...(frame.address !== undefined && { address: frame.address }),
              routingEpoch: state.routingEpoch,
            },
            this.sid,
          ),
        );
        return undefined;
      case 'NodeAttach':
        state.link.logger.warn('NodeAttach on an attached link ignored');
        return undefined;
      default:
        if (CONTROL_ACKS.has(frame.type)) {
          state.pending.settle(envelope.corrId, envelope);
          return undefined;
        }
        return this.inboundSecured(envelope, origin as Exclude<Origin, { kind: 'local' | 'upstream' }>);
    }
  }

  #onAttach(envelope: FameEnvelope<NodeAttachFrame>, state: LinkState): void {
    const frame = envelope.frame;
    const originType = frame.originType ?? 'downstream';
    if (frame.systemId !== state.systemId || originType !== state.originType) {
      const reason =
        frame.systemId !== state.systemId
          ? `systemId ${frame.systemId} does not match the attach URL (${state.systemId})`
          : `originType ${originType} does not match the attach URL (${state.originType})`;
      this.#refuseAttach(envelope, state, reason);
      return;
    }
    clearTimeout(state.timer);
    const systemId = state.systemId;
    const previous = this.#links.get(systemId);
    if (previous && previous !== state) {
      previous.link.logger.warn({ systemId }, 'a second link attached with the same system id; replacing the old link');
      previous.phase = 'closed';
      void previous.link.close(1000, 'replaced by a new attach');
    }
    const path = originType === 'peer' ? `/${systemId}` : `${this.physicalPath}/${systemId}`;
    if (frame.assignedPath !== undefined && frame.assignedPath !== path) {
      state.link.logger.info({ requested: frame.assignedPath, assigned: path }, 'ignored the assignedPath the child asked for');
    }
    state.phase = 'attached';
    state.physicalPath = path;
    state.routingEpoch = randomId();
    this.#pendingLinks.delete(state);
    this.#links.set(systemId, state);
    const grace = this.#graceTimers.get(systemId);
    if (grace) {
      clearTimeout(grace);
      this.#graceTimers.delete(systemId);
    }
    this.#reply(
      state,
      controlAck(
        envelope,
        {
          type: 'NodeAttachAck',
          ok: true,
          refId: envelope.id,
          targetSystemId: this.systemId,
          assignedPath: path,
          targetPhysicalPath: this.physicalPath,
          routingEpoch: state.routingEpoch,
        },
        this.sid,
      ),
    );
    state.link.logger.info({ systemId, path, originType }, 'attached');
    if (this.hooks.length) for (const h of this.hooks) h.onChildAttached?.(this.#childInfo(state));
    if (originType === 'peer') this.#announceToPeer(state);
    for (const buffered of state.buffered.splice(0)) void this.#onLinkEnvelope(buffered, state);
  }

  #refuseAttach(envelope: FameEnvelope, state: LinkState, reason: string): void {
    state.link.logger.warn({ reason }, 'refused a NodeAttach');
    state.phase = 'closed';
    clearTimeout(state.timer);
    const ack = controlAck(envelope, { type: 'NodeAttachAck', ok: false, refId: envelope.id, reason }, this.sid);
    state.link
      .send(ack, { lane: 'reply' })
      .catch(() => undefined)
      .finally(() => void state.link.close(1008, 'attach refused'));
  }

  #onBind(envelope: FameEnvelope, address: string, state: LinkState): void {
    const participant = address.slice(0, address.lastIndexOf('@'));
    const reserved = isReservedParticipant(participant);
    if (!reserved) {
      const { replaced } = this.routes.bind(address, { systemId: state.systemId, kind: state.originType === 'peer' ? 'peer' : 'child' });
      if (replaced) state.link.logger.info({ address, previousOwner: replaced.systemId }, 'address re-bound to a new owner');
    }
    this.#reply(state, controlAck(envelope, { type: 'AddressBindAck', ok: true, refId: envelope.id, address }, this.sid));
    // Binds learned from peers are not passed on: forwarding them around a peer mesh could
    // overwrite routes to our own children.
    if (!reserved && state.originType !== 'peer')
      this.#propagate({ type: 'AddressBind', address, physicalPath: this.physicalPath }, state.systemId);
  }

  #onUnbind(envelope: FameEnvelope, address: string, state: LinkState): void {
    const { removed } = this.routes.unbind(address, state.systemId);
    if (state.originType !== 'peer')
      this.#reply(state, controlAck(envelope, { type: 'AddressUnbindAck', ok: true, refId: envelope.id, address }, this.sid));
    if (removed && state.originType !== 'peer' && !this.routes.exact(address))
      this.#propagate({ type: 'AddressUnbind', address }, state.systemId);
  }

  #onAdvertise(envelope: FameEnvelope, capabilities: string[], address: string, state: LinkState): void {
    if (state.originType === 'peer') return;
    const fresh = this.routes.advertise(capabilities, address, state.systemId);
    this.#reply(
      state,
      controlAck(envelope, { type: 'CapabilityAdvertiseAck', ok: true, refId: envelope.id, capabilities, address }, this.sid),
    );
    if (fresh.length) this.#propagateUpstream({ type: 'CapabilityAdvertise', capabilities: fresh, address });
  }

  #onWithdraw(envelope: FameEnvelope, capabilities: string[], address: string, state: LinkState): void {
    if (state.originType === 'peer') return;
    const lost = this.routes.withdraw(capabilities, address, state.systemId);
    this.#reply(
      state,
      controlAck(envelope, { type: 'CapabilityWithdrawAck', ok: true, refId: envelope.id, capabilities, address }, this.sid),
    );
    if (lost.length) this.#propagateUpstream({ type: 'CapabilityWithdraw', capabilities: lost, address });
  }

  #reply(state: LinkState, envelope: FameEnvelope): void {
    state.link
      .send(envelope, { lane: 'reply' })
      .catch((error: Error) => state.link.logger.debug({ err: error, frameType: envelope.frame.type }, 'could not send a control ack'));
  }

  #onLinkClosed(state: LinkState, info: CloseInfo): void {
    clearTimeout(state.timer);
    this.#pendingLinks.delete(state);
    const wasAttached = state.phase === 'attached' || this.#links.get(state.systemId) === state;
    state.phase = 'closed';
    state.pending.failAll(new Error(`link to ${state.systemId} closed`));
    if (this.#links.get(state.systemId) !== state) return;
    this.#links.delete(state.systemId);
    if (wasAttached && this.hooks.length)
      for (const h of this.hooks) h.onChildDetached?.({ ...this.#childInfo(state), code: info.code, reason: info.reason });
    state.link.logger.info({ code: info.code, reason: info.reason }, 'detached');
    if (this.#graceMs > 0 && this.#accepting) {
      const timer = setTimeout(() => {
        this.#graceTimers.delete(state.systemId);
        if (!this.#links.has(state.systemId)) this.#withdrawRoutes(state.systemId);
      }, this.#graceMs);
      unref(timer);
      this.#graceTimers.set(state.systemId, timer);
    } else this.#withdrawRoutes(state.systemId);
  }

  #withdrawRoutes(segment: string): void {
    const removed = this.routes.removeSegment(segment);
    for (const address of [...removed.addresses, ...removed.emptiedPools]) this.#propagate({ type: 'AddressUnbind', address }, segment);
    for (const { capability, address } of removed.lostCapabilities)
      this.#propagateUpstream({ type: 'CapabilityWithdraw', capabilities: [capability], address });
  }

  #childInfo(state: LinkState): ChildInfo {
    return { systemId: state.systemId, physicalPath: state.physicalPath, originType: state.originType };
  }

  // ---- propagation to the parent and to peers ---------------------------------------------

  /** Pass a child's bind/unbind on to our parent and to every peer except `source`. */
  #propagate(frame: FameFrame, source: string): void {
    this.#propagateUpstream(frame);
    for (const state of this.#links.values()) {
      if (state.originType === 'peer' && state.systemId !== source && state.phase === 'attached') this.#requestOn(state, frame);
    }
  }

  #propagateUpstream(frame: FameFrame): void {
    const session = this.upstream;
    if (!session?.isAttached) return; // announced in full on the next attach
    session
      .request(frame, this.systemInboxAddress)
      .catch((error: Error) => this.logger.warn({ err: error, frameType: frame.type }, 'propagating to the parent failed'));
  }

  #requestOn(state: LinkState, frame: FameFrame): void {
    controlRequest((env) => state.link.send(env), state.pending, frame, {
      replyTo: this.systemInboxAddress,
      sid: this.sid,
      timeoutMs: this.#ackTimeoutMs,
    }).catch((error: Error) => state.link.logger.warn({ err: error, frameType: frame.type }, 'propagating to a peer failed'));
  }

  /** A peer just attached (either way): tell it the addresses our children serve. */
  #announceToPeer(state: LinkState): void {
    const { addresses, pools } = this.routes.entries();
    for (const [address, owner] of addresses) {
      if (owner.kind === 'child') this.#requestOn(state, { type: 'AddressBind', address, physicalPath: this.physicalPath });
    }
    for (const pool of pools) this.#requestOn(state, { type: 'AddressBind', address: pool, physicalPath: this.physicalPath });
  }

  /** After our own (re-)attach: our bindings, then every route our children gave us. */
  protected override async onAttached(info: AttachInfo): Promise<void> {
    await super.onAttached(info);
    const session = this.upstream;
    if (!session) return;
    const { addresses, pools, capabilities } = this.routes.entries();
    const requests: Promise<unknown>[] = [];
    for (const [address, owner] of addresses) {
      if (owner.kind === 'child')
        requests.push(session.request({ type: 'AddressBind', address, physicalPath: this.physicalPath }, this.systemInboxAddress));
    }
    for (const pool of pools)
      requests.push(session.request({ type: 'AddressBind', address: pool, physicalPath: this.physicalPath }, this.systemInboxAddress));
    for (const { capability, address } of capabilities) {
      requests.push(session.request({ type: 'CapabilityAdvertise', capabilities: [capability], address }, this.systemInboxAddress));
    }
    const results = await Promise.allSettled(requests);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) this.logger.warn({ failed, total: results.length }, 're-announcing child routes to the parent partly failed');
  }

  async #dialPeer(options: UpstreamOptions): Promise<void> {
    let state: LinkState | undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sentinel = this;
    const session: UpstreamSession = new UpstreamSession(
      {
        systemId: this.systemId,
        get sid() {
          return sentinel.sid;
        },
        logger: this.logger,
        linkOptions: this.linkOptions,
        attachFields: () => ({ acceptedLogicals: [...this.acceptedLogicals] }),
        onEnvelope: (env) => (state ? this.#onLinkEnvelope(env, state) : undefined),
        onAttached: (info) => {
          const link = session.link!;
          state = {
            phase: 'attached',
            systemId: info.parentSystemId,
            originType: 'peer',
            link,
            authorization: undefined,
            buffered: [],
            timer: undefined,
            physicalPath: info.parentPhysicalPath,
            routingEpoch: info.routingEpoch ?? '',
            pending: session.pending,
            origin: { kind: 'peer', systemId: info.parentSystemId, link },
          };
          this.#links.set(info.parentSystemId, state);
          this.#announceToPeer(state);
          return Promise.resolve();
        },
        onDetached: () => {
          if (state && this.#links.get(state.systemId) === state) {
            this.#links.delete(state.systemId);
            this.#withdrawRoutes(state.systemId);
          }
          state = undefined;
        },
      },
      options,
      'peer',
    );
    this.#peerSessions.push(session);
    await session.start();
  }

  // ---- routing (protocol-core §5.3) -------------------------------------------------------

  protected override senderFor(target: ForwardTarget): EnvelopeSender | undefined {
    if (target.kind === 'upstream') return super.senderFor(target);
    const state = this.#links.get(target.systemId);
    return state?.phase === 'attached' && state.link.isOpen ? state.link : undefined;
  }

  protected override route(envelope: FameEnvelope, origin: Origin, options?: SendOptions): void | Promise<unknown> {
    const frame = envelope.frame;
    const to = envelope.to;
    if (to === undefined) {
      if (frame.type === 'Data' && envelope.capabilities?.length)
        return this.#routeByCapability(envelope, envelope.capabilities, origin, options);
      if (frame.type !== 'KeyRequest' || frame.address === undefined) return this.#drop(envelope, origin, 'no destination');
    }
    if (!ROUTABLE.has(frame.type)) return this.#drop(envelope, origin, `${frame.type} frames are not routed`);
    const destination = frame.type === 'KeyRequest' ? (frame.address ?? to!) : to!;

    const local = this.bindings.resolve(destination, this.physicalPath);
    if (local) return this.deliver(local, envelope, origin);

    const owner = this.routes.exact(destination);
    if (owner) return this.#toSegment(owner.systemId, owner.kind, envelope, origin, options);

    const at = destination.lastIndexOf('@');
    const participant = destination.slice(0, at);
    const location = destination.slice(at + 1);
    if (location.charCodeAt(0) !== 47 /* '/' */) {
      const slash = location.indexOf('/');
      const host = slash < 0 ? location : location.slice(0, slash);
      const members = this.routes.poolMembers(participant, host);
      if (members) {
        const live = [...members].filter((m) => this.#isLive(m) && !isFrom(origin, m));
        if (live.length) return this.#toSegment(this.#balancer.pick(live, envelope), 'child', envelope, origin, options);
      }
    } else {
      const next = this.#nextHopByPath(location);
      if (next !== undefined) {
        if (next === '') return this.unroutable(envelope, origin, 'NO_ROUTE');
        return this.#toSegment(next, this.#links.get(next)?.originType === 'peer' ? 'peer' : 'child', envelope, origin, options);
      }
    }
    if (this.hasParent && origin.kind !== 'upstream') return this.forward(envelope, { kind: 'upstream' }, origin, options);
    return this.unroutable(envelope, origin, 'NO_ROUTE');
  }

  /**
   * The neighbour a physical path leads to: a peer named by its first segment, or the child
   * named by the segment after our own path. `''` means "ours, but nobody is there";
   * undefined means "not below us".
   */
  #nextHopByPath(path: string): string | undefined {
    const slash = path.indexOf('/', 1);
    const first = slash < 0 ? path.slice(1) : path.slice(1, slash);
    const firstState = this.#links.get(first);
    if (firstState?.originType === 'peer') return first;
    const own = this.physicalPath;
    if (path === own) return '';
    if (!path.startsWith(own) || path.charCodeAt(own.length) !== 47) return undefined;
    const end = path.indexOf('/', own.length + 1);
    const child = path.slice(own.length + 1, end < 0 ? undefined : end);
    return this.#links.has(child) ? child : '';
  }

  #routeByCapability(
    envelope: FameEnvelope,
    capabilities: readonly string[],
    origin: Origin,
    options?: SendOptions,
  ): void | Promise<unknown> {
    const local = this.bindings.byCapabilities(capabilities);
    if (local) return this.deliver(local, envelope, origin);
    const providers = this.routes.capabilityProviders(capabilities).filter((s) => this.#isLive(s) && !isFrom(origin, s));
    if (providers.length) return this.#toSegment(this.#balancer.pick(providers, envelope), 'child', envelope, origin, options);
    if (this.hasParent && origin.kind !== 'upstream') return this.forward(envelope, { kind: 'upstream' }, origin, options);
    return this.unroutable(envelope, origin, 'NO_ROUTE');
  }

  #toSegment(
    systemId: string,
    kind: 'child' | 'peer',
    envelope: FameEnvelope,
    origin: Origin,
    options?: SendOptions,
  ): void | Promise<unknown> {
    if (isFrom(origin, systemId)) return this.#drop(envelope, origin, `route leads back to ${systemId}, where it came from`);
    if (!this.#isLive(systemId)) return this.unroutable(envelope, origin, kind === 'peer' ? 'PEER_UNREACHABLE' : 'CHILD_UNREACHABLE');
    return this.forward(envelope, { kind, systemId }, origin, options);
  }

  #isLive(systemId: string): boolean {
    const state = this.#links.get(systemId);
    return state !== undefined && state.phase === 'attached' && state.link.isOpen;
  }

  #drop(envelope: FameEnvelope, origin: Origin, why: string): void {
    if (this.hooks.length) for (const h of this.hooks) h.onDropped?.(envelope, 'DROPPED', why);
    this.logger.debug({ envelopeId: envelope.id, frameType: envelope.frame.type, to: envelope.to, from: origin.kind }, `dropped: ${why}`);
  }

  /** For tests and diagnostics: the current state of one child or peer link. */
  linkInfo(
    systemId: string,
  ): { physicalPath: string; originType: OriginType; routingEpoch: string; queued: { envelopes: number; bytes: number } } | undefined {
    const state = this.#links.get(systemId);
    return (
      state && {
        physicalPath: state.physicalPath,
        originType: state.originType,
        routingEpoch: state.routingEpoch,
        queued: state.link.queued,
      }
    );
  }
}

function isFrom(origin: Origin, systemId: string): boolean {
  return (origin.kind === 'child' || origin.kind === 'peer') && origin.systemId === systemId;
}
