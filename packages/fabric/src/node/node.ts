import {
  createDeliveryAck,
  createNack,
  DeliveryNackError,
  FameError,
  isNackEligible,
  isPoolPattern,
  isReservedParticipant,
  matchPool,
  parseAddress,
  physicalAddress,
  randomId,
  ResponseType,
  secureDigest,
  SYSTEM_INBOX,
  type DeliveryAckCode,
  type EnvelopeSecurity,
  type FameEnvelope,
  type Logger,
  type SecurityContext,
} from '@naylence/core';
import { SENT, type Link, type LinkOptions, type SendOptions } from '../link/link.js';
import { createDefaultLogger } from '../logging.js';
import type { AttachInfo, DetachInfo, ForwardTarget, NodeHooks } from './hooks.js';
import { LocalBindings, type DeliveryContext, type EnvelopeHandler, type LocalBinding } from './local-bindings.js';
import type { NodeOptions } from './node-options.js';
import { UpstreamSession, type SessionHost } from './upstream-session.js';
import { RecentIds } from '../delivery/recent-ids.js';
import { asError } from '../util/as-error.js';

/** Something envelopes can be sent through: a link, or the upstream session. */
export interface EnvelopeSender {
  send(envelope: FameEnvelope, options?: SendOptions): Promise<void>;
}

/** Where an envelope entered this node. */
export type Origin =
  | { readonly kind: 'local' }
  | { readonly kind: 'upstream'; readonly link: Link }
  | { readonly kind: 'child'; readonly systemId: string; readonly link: Link }
  | { readonly kind: 'peer'; readonly systemId: string; readonly link: Link };

export const LOCAL_ORIGIN: Origin = Object.freeze({ kind: 'local' });

/** What {@link FameNode.bind} registered, and how to undo it. */
export interface BoundAddress {
  /** The address as requested. */
  readonly address: string;
  /** Addresses bound locally (a pool bind adds the pool and the instance address). */
  readonly localAddresses: readonly string[];
  /** The address announced to the parent with AddressBind, if any. */
  readonly upstreamAddress: string | undefined;
  unbind(): Promise<void>;
}

export interface BindOptions {
  /** Capabilities this address provides (advertised to the parent). */
  readonly capabilities?: readonly string[];
}

interface Declared {
  readonly upstreamAddress: string | undefined;
  /** Address capabilities are advertised at; a physical address follows our current path. */
  readonly advertise: { readonly address: string } | { readonly participant: string } | undefined;
  readonly capabilities: readonly string[];
  readonly localAddresses: readonly string[];
}

/** Frames that carry application traffic and are routed by `to`. */
const ROUTABLE = new Set(['Data', 'DeliveryAck', 'SecureOpen', 'SecureAccept', 'SecureClose', 'KeyRequest', 'KeyAnnounce']);
const CONTROL_ACKS = new Set(['AddressBindAck', 'AddressUnbindAck', 'CapabilityAdvertiseAck', 'CapabilityWithdrawAck']);

/**
 * A FAME node: a system id, a physical path once attached, local bindings (address →
 * handler), and optionally one upstream link to a parent sentinel. A node delivers what is
 * addressed to its bindings and sends everything else to its parent.
 *
 * `Sentinel` extends it with child links and a routing table.
 */
export class FameNode implements AsyncDisposable {
  readonly systemId: string;
  readonly logger: Logger;
  protected readonly bindings = new LocalBindings();
  protected readonly hooks: readonly NodeHooks[];
  protected readonly security: EnvelopeSecurity | undefined;
  protected readonly linkOptions: Omit<LinkOptions, 'logger'>;
  protected upstream: UpstreamSession | undefined;
  readonly #options: NodeOptions;
  readonly #acceptedLogicals: readonly string[];
  readonly #declared = new Map<string, Declared>();
  readonly #recentIds = new RecentIds();
  readonly #systemHandlers: EnvelopeHandler[] = [];
  #physicalPath = '';
  #sid: string | undefined;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(options: NodeOptions = {}) {
    this.#options = options;
    this.systemId = options.systemId ?? randomId();
    if (this.systemId.includes('/') || this.systemId === '')
      throw new FameError('INVALID_CONFIG', `invalid system id ${JSON.stringify(this.systemId)}`);
    this.logger = (options.logger ?? createDefaultLogger()).child({ nodeId: this.systemId });
    this.hooks = options.hooks ?? [];
    this.security = options.security;
    this.linkOptions = options.link ?? {};
    this.#acceptedLogicals = options.requestedLogicals?.length ? [...options.requestedLogicals] : ['*'];
  }

  /** `/{parent…}/{systemId}` once attached; `/{systemId}` for a root; `''` before either. */
  get physicalPath(): string {
    return this.#physicalPath;
  }

  /** secureDigest of the physical path, sent as `sid` on envelopes we originate. */
  get sid(): string | undefined {
    return this.#sid;
  }

  get acceptedLogicals(): readonly string[] {
    return this.#acceptedLogicals;
  }

  get isRunning(): boolean {
    return this.#state === 'running';
  }

  /** Whether the node has a live link to its parent (always false for a root). */
  get isAttached(): boolean {
    return this.upstream?.isAttached ?? false;
  }

  get hasParent(): boolean {
    return this.#options.upstream !== undefined;
  }

  /** Attach to the parent (if any) and start serving. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new FameError('INVALID_CONFIG', `node ${this.systemId} was already started`);
    this.#state = 'starting';
    // Physical bindings match `name@{our current path}`, whatever the path turns out to be.
    this.bindings.add({ address: `${SYSTEM_INBOX}@/`, handler: (env, ctx) => this.onSystemInbox(env, ctx), capabilities: [] });
    if (this.#options.upstream) {
      this.upstream = new UpstreamSession(this.#sessionHost(), this.#options.upstream, 'downstream');
      try {
        await this.upstream.start();
      } catch (error) {
        this.#state = 'stopped';
        await this.upstream.stop();
        throw error;
      }
    } else {
      await this.adoptPath(`/${this.systemId}`);
    }
    this.#state = 'running';
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.upstream?.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Serve `address` with `handler`. Names under one of our logicals are announced to the
   * parent (AddressBind, then CapabilityAdvertise when `capabilities` are given); a pool
   * logical (`*.fame.fabric`) binds the pool address and an instance address
   * (protocol-core §2.4); physical and reserved addresses stay local.
   * @throws FameError `INVALID_ADDRESS` for a malformed address or a logical we may not use
   */
  async bind(address: string, handler: EnvelopeHandler, options?: BindOptions): Promise<BoundAddress> {
    const plan = this.#planBinding(address);
    const capabilities = [...(options?.capabilities ?? [])];
    for (const local of plan.localAddresses) this.bindings.add({ address: local, handler, capabilities });
    const declared: Declared = { ...plan, capabilities };
    this.#declared.set(address, declared);
    if (this.isAttached) await this.announce(declared);
    return {
      address,
      localAddresses: plan.localAddresses,
      upstreamAddress: plan.upstreamAddress,
      unbind: () => this.unbind(address),
    };
  }

  /** Stop serving an address bound with {@link bind}. */
  async unbind(address: string): Promise<void> {
    const declared = this.#declared.get(address);
    if (!declared) return;
    this.#declared.delete(address);
    for (const local of declared.localAddresses) this.bindings.remove(local);
    const session = this.upstream;
    if (!session?.isAttached) return;
    const replyTo = this.systemInboxAddress;
    const requests: Promise<unknown>[] = [];
    const advertised = this.#advertiseAddress(declared);
    if (advertised && declared.capabilities.length) {
      requests.push(
        session.request({ type: 'CapabilityWithdraw', capabilities: [...declared.capabilities], address: advertised }, replyTo),
      );
    }
    if (declared.upstreamAddress) requests.push(session.request({ type: 'AddressUnbind', address: declared.upstreamAddress }, replyTo));
    await Promise.all(requests);
  }

  /**
   * Originate an envelope: stamps `sid`, and a `corrId` plus our system inbox as `replyTo` when
   * the envelope expects an answer and has none; then delivers it locally or sends it on.
   * Resolves when it is accepted locally or handed to a link.
   * @throws DeliveryNackError (`NO_ROUTE`, …) when it cannot be routed at all
   */
  send(envelope: FameEnvelope, options?: SendOptions): Promise<void> {
    if (envelope.sid === undefined && this.#sid !== undefined) envelope.sid = this.#sid;
    if (envelope.rtype && envelope.replyTo === undefined && this.#physicalPath !== '') envelope.replyTo = this.systemInboxAddress;
    if (envelope.rtype && envelope.corrId === undefined) envelope.corrId = randomId();
    try {
      const result = this.route(envelope, LOCAL_ORIGIN, options?.lane !== undefined || !isResponse(envelope) ? options : REPLY_LANE);
      return result instanceof Promise ? result.then(noop) : RESOLVED;
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** `__sys__@{physicalPath}`. */
  get systemInboxAddress(): string {
    return `${SYSTEM_INBOX}@${this.#physicalPath}`;
  }

  // ---- routing (overridden by Sentinel) --------------------------------------------------

  /**
   * Decide what happens to an envelope: deliver to a local binding, send upstream, or drop.
   * Returns the acceptance (for flow-control credit) when there is one.
   */
  protected route(envelope: FameEnvelope, origin: Origin, options?: SendOptions): void | Promise<unknown> {
    const local = this.resolveLocal(envelope);
    if (local) return this.deliver(local, envelope, origin);
    if (origin.kind === 'local' && this.upstream) return this.forward(envelope, { kind: 'upstream' }, origin, options);
    return this.unroutable(envelope, origin, 'NO_ROUTE');
  }

  /** The local binding for an envelope's `to` (or, without `to`, its capabilities). */
  protected resolveLocal(envelope: FameEnvelope): LocalBinding | undefined {
    const to = envelope.to;
    if (to !== undefined) return this.bindings.resolve(to, this.#physicalPath);
    const caps = envelope.capabilities;
    return caps && caps.length > 0 && envelope.frame.type === 'Data' ? this.bindings.byCapabilities(caps) : undefined;
  }

  protected deliver(binding: LocalBinding, envelope: FameEnvelope, origin: Origin): void | Promise<unknown> {
    // At-least-once (protocol-core §6.2, §6.3): ack every copy when it is handed over, but
    // hand each envelope id to the handler only once.
    if (envelope.rtype !== undefined && envelope.rtype & ResponseType.ACK && envelope.frame.type === 'Data') {
      if (envelope.replyTo !== undefined && envelope.corrId !== undefined)
        this.originate(createDeliveryAck(envelope, this.#sid === undefined ? undefined : { sid: this.#sid }));
      if (origin.kind !== 'local' && this.#recentIds.check(envelope.id)) {
        this.logger.debug({ envelopeId: envelope.id, address: binding.address }, 'dropped a duplicate (already delivered)');
        return undefined;
      }
    }
    if (this.hooks.length) for (const h of this.hooks) h.onBeforeDeliver?.(envelope, binding.address);
    const context: DeliveryContext =
      origin.kind === 'local'
        ? LOCAL_CONTEXT
        : origin.kind === 'upstream'
          ? UPSTREAM_CONTEXT
          : { origin: origin.kind === 'child' ? 'downstream' : 'peer', fromSystemId: origin.systemId };
    try {
      return binding.handler(envelope, context);
    } catch (error) {
      this.logger.error({ err: error, address: binding.address, envelopeId: envelope.id }, 'handler threw; envelope dropped');
      return undefined;
    }
  }

  /** Send over the link to `target`. */
  protected forward(envelope: FameEnvelope, target: ForwardTarget, origin: Origin, options?: SendOptions): void | Promise<unknown> {
    if (origin.kind !== 'local' && envelope.ttl !== undefined) {
      if (envelope.ttl <= 0)
        return this.unroutable(envelope, origin, 'NO_ROUTE', `TTL exceeded before reaching ${envelope.to ?? 'a capability provider'}`);
      envelope.ttl -= 1;
    }
    const sender = this.senderFor(target);
    if (!sender)
      return this.unroutable(
        envelope,
        origin,
        target.kind === 'upstream' ? 'NO_ROUTE' : target.kind === 'peer' ? 'PEER_UNREACHABLE' : 'CHILD_UNREACHABLE',
      );
    if (this.hooks.length) for (const h of this.hooks) h.onBeforeForward?.(envelope, target);
    const sent = sender.send(envelope, options);
    if (origin.kind === 'local') return sent;
    if (sent === SENT) return undefined; // went out at once: accept now, no promise bookkeeping
    return sent.catch((error: Error) =>
      this.forwardFailed(envelope, origin, error, target.kind === 'upstream' ? 'NO_ROUTE' : 'ROUTE_CONNECTOR_CLOSED'),
    );
  }

  /** What sends to `target`; a plain node only has its parent. */
  protected senderFor(target: ForwardTarget): EnvelopeSender | undefined {
    return target.kind === 'upstream' ? this.upstream : undefined;
  }

  /**
   * Nothing can take this envelope. From a link: NACK when the protocol allows (protocol-core
   * §5.5) and log; originated here: fail the send with a typed error.
   */
  protected unroutable(envelope: FameEnvelope, origin: Origin, code: DeliveryAckCode, reason?: string): void {
    const why =
      reason ?? `Unroutable to ${envelope.to ?? envelope.replyTo ?? `capabilities ${JSON.stringify(envelope.capabilities ?? [])}`}`;
    if (this.hooks.length) for (const h of this.hooks) h.onDropped?.(envelope, code, why);
    if (origin.kind === 'local') throw new DeliveryNackError(code, why);
    if (isNackEligible(envelope)) {
      this.logger.debug({ envelopeId: envelope.id, to: envelope.to, code }, 'unroutable; sending NACK');
      this.originate(createNack(envelope, code, why));
    } else {
      this.logger.warn(
        { envelopeId: envelope.id, frameType: envelope.frame.type, to: envelope.to, code, from: originLabel(origin) },
        `dropped: ${why}`,
      );
    }
  }

  /** A forward failed after routing chose a link (closed, back-pressure): NACK or log. */
  protected forwardFailed(envelope: FameEnvelope, origin: Origin, error: Error, closedCode: DeliveryAckCode): void {
    const code: DeliveryAckCode =
      error instanceof FameError && error.code === 'BACK_PRESSURE'
        ? 'BACK_PRESSURE'
        : error instanceof FameError && error.code === 'MESSAGE_TOO_LARGE'
          ? 'MESSAGE_TOO_LARGE'
          : closedCode;
    this.unroutable(envelope, origin, code, `${code === closedCode ? `Unroutable to ${envelope.to ?? ''}` : error.message}`);
  }

  /** Send an envelope this node generated itself (acks, NACKs) without failing the caller. */
  protected originate(envelope: FameEnvelope, options?: SendOptions): void {
    this.send(envelope, { lane: 'reply', ...options }).catch((error: Error) =>
      this.logger.warn({ err: error, frameType: envelope.frame.type, to: envelope.to }, 'could not send a generated envelope'),
    );
  }

  // ---- inbound from the parent ----------------------------------------------------------

  /** Everything the parent sends after attach. */
  protected onUpstreamEnvelope(envelope: FameEnvelope, link: Link): void | Promise<unknown> {
    if (this.hooks.length) for (const h of this.hooks) h.onEnvelopeReceived?.(envelope, { kind: 'upstream' });
    const type = envelope.frame.type;
    if (CONTROL_ACKS.has(type)) {
      if (!this.upstream?.pending.settle(envelope.corrId, envelope))
        this.logger.debug({ frameType: type, corrId: envelope.corrId }, 'unexpected control ack');
      return undefined;
    }
    if (type === 'NodeHeartbeatAck') {
      const epochChanged = this.upstream?.heartbeatAcked((envelope.frame as { routingEpoch?: string }).routingEpoch) ?? false;
      if (epochChanged) {
        this.logger.info('parent routing epoch changed; re-binding');
        void this.announceAll();
      }
      return undefined;
    }
    if (!ROUTABLE.has(type)) {
      this.logger.debug({ frameType: type }, 'ignored a frame from the parent');
      return undefined;
    }
    return this.inboundSecured(envelope, { kind: 'upstream', link });
  }

  /** Run inbound security stages (when configured), then route. */
  protected inboundSecured(envelope: FameEnvelope, origin: Exclude<Origin, { kind: 'local' }>): void | Promise<unknown> {
    const security = this.security;
    if (!security || (!security.verify && !security.decrypt && !security.authorize)) return this.route(envelope, origin);
    return this.#secureInbound(security, envelope, origin);
  }

  async #secureInbound(security: EnvelopeSecurity, envelope: FameEnvelope, origin: Exclude<Origin, { kind: 'local' }>): Promise<unknown> {
    const context: SecurityContext = {
      nodeId: this.systemId,
      physicalPath: this.#physicalPath,
      link: {
        systemId: 'systemId' in origin ? origin.systemId : (this.upstream?.attachInfo?.parentSystemId ?? ''),
        originType: origin.kind === 'child' ? 'downstream' : origin.kind,
      },
    };
    try {
      let env = envelope;
      if (security.verify) env = await security.verify(env, context);
      if (security.decrypt) env = await security.decrypt(env, context);
      if (security.authorize && !(await security.authorize(env, context))) return this.unroutable(env, origin, 'NO_ROUTE');
      return await this.route(env, origin);
    } catch (error) {
      this.logger.warn({ err: error, envelopeId: envelope.id, from: originLabel(origin) }, 'envelope rejected by security');
      return undefined;
    }
  }

  /**
   * Also handle envelopes addressed to this node's system inbox `__sys__@{ourPath}` (where
   * responders' `replyTo` points). Returns a function that removes the handler.
   */
  onSystemEnvelope(handler: EnvelopeHandler): () => void {
    this.#systemHandlers.push(handler);
    return () => {
      const i = this.#systemHandlers.indexOf(handler);
      if (i >= 0) this.#systemHandlers.splice(i, 1);
    };
  }

  /** Envelopes to `__sys__@{ourPath}`. */
  protected onSystemInbox(envelope: FameEnvelope, context: DeliveryContext): void {
    if (this.#systemHandlers.length === 0) {
      this.logger.debug({ frameType: envelope.frame.type, corrId: envelope.corrId }, 'system inbox: nothing to do');
      return;
    }
    for (const handler of this.#systemHandlers) void handler(envelope, context);
  }

  // ---- attach and binding propagation ----------------------------------------------------

  /** Adopt a physical path (attach, or root start) and recompute the sid. */
  protected async adoptPath(path: string): Promise<void> {
    this.#sid = await secureDigest(path);
    this.#physicalPath = path;
  }

  /** Called after every successful attach to the parent. */
  protected async onAttached(info: AttachInfo): Promise<void> {
    if (this.#physicalPath !== '' && this.#physicalPath !== info.physicalPath) {
      this.logger.warn({ from: this.#physicalPath, to: info.physicalPath }, 'physical path changed on re-attach');
    }
    await this.adoptPath(info.physicalPath);
    if (this.hooks.length) for (const h of this.hooks) h.onAttached?.(info);
    await this.announceAll();
  }

  protected onDetached(info: DetachInfo): void {
    if (this.hooks.length) for (const h of this.hooks) h.onDetached?.(info);
  }

  /** Re-send AddressBind / CapabilityAdvertise for everything we serve (idempotent on the parent). */
  protected async announceAll(): Promise<void> {
    const results = await Promise.allSettled([...this.#declared.values()].map((d) => this.announce(d)));
    for (const r of results)
      if (r.status === 'rejected') this.logger.warn({ err: r.reason as unknown }, 'bind/advertise to the parent failed');
  }

  protected async announce(declared: Declared): Promise<void> {
    const session = this.upstream;
    if (!session?.isAttached) return;
    if (declared.upstreamAddress) {
      await session.request(
        { type: 'AddressBind', address: declared.upstreamAddress, physicalPath: this.#physicalPath },
        this.systemInboxAddress,
      );
    }
    const advertised = this.#advertiseAddress(declared);
    if (advertised && declared.capabilities.length) {
      await session.request(
        { type: 'CapabilityAdvertise', capabilities: [...declared.capabilities], address: advertised },
        this.systemInboxAddress,
      );
    }
  }

  #advertiseAddress(declared: Declared): string | undefined {
    const advertise = declared.advertise;
    if (advertise === undefined) return undefined;
    return 'address' in advertise ? advertise.address : this.physicalAddressOf(advertise.participant);
  }

  #planBinding(address: string): Omit<Declared, 'capabilities'> {
    const parsed = parseAddress(address);
    const host = parsed.host;
    if (host === undefined)
      return { localAddresses: [address], upstreamAddress: undefined, advertise: { participant: parsed.participant } };
    if (parsed.path !== undefined || isReservedParticipant(parsed.participant) || !this.hasParent) {
      return { localAddresses: [address], upstreamAddress: undefined, advertise: { address } };
    }
    const accepted = this.#acceptedLogicals;
    const pool = isPoolPattern(host)
      ? host
      : accepted.includes('*') || accepted.includes(host)
        ? undefined
        : matchPool(host, accepted.filter(isPoolPattern));
    if (pool !== undefined) {
      const poolAddress = `${parsed.participant}@${pool}`;
      const instance = `${parsed.participant}@${this.systemId}${pool === '*' ? '' : pool.slice(1)}`;
      return { localAddresses: [poolAddress, instance], upstreamAddress: poolAddress, advertise: { address: instance } };
    }
    if (accepted.includes('*') || accepted.includes(host))
      return { localAddresses: [address], upstreamAddress: address, advertise: { address } };
    throw new FameError('INVALID_ADDRESS', `cannot bind ${address}: ${host} is not one of this node's logicals (${accepted.join(', ')})`);
  }

  #sessionHost(): SessionHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const node = this;
    return {
      systemId: this.systemId,
      get sid() {
        return node.sid;
      },
      logger: this.logger,
      linkOptions: this.linkOptions,
      attachFields: () => ({ acceptedLogicals: [...this.#acceptedLogicals] }),
      onEnvelope: (envelope, link) => this.onUpstreamEnvelope(envelope, link),
      onAttached: (info) => this.onAttached(info),
      onDetached: (info) => this.onDetached(info),
    };
  }

  /** Address of `participant` at our physical path. */
  protected physicalAddressOf(participant: string): string {
    return physicalAddress(participant, this.#physicalPath);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
const REPLY_LANE: SendOptions = Object.freeze({ lane: 'reply' });

/**
 * Whether an envelope answers something rather than asks: a DeliveryAck, or an envelope with a
 * `corrId` that expects no reply or stream. Responses travel on the link's reply flow.
 */
export function isResponse(envelope: FameEnvelope): boolean {
  if (envelope.frame.type === 'DeliveryAck') return true;
  return (
    envelope.corrId !== undefined &&
    ((envelope.rtype ?? 0) & (ResponseType.REPLY | ResponseType.STREAM)) === 0 &&
    envelope.frame.type === 'Data'
  );
}
const LOCAL_CONTEXT: DeliveryContext = Object.freeze({ origin: 'local' });
const UPSTREAM_CONTEXT: DeliveryContext = Object.freeze({ origin: 'upstream' });
function noop(): void {}

function originLabel(origin: Origin): string {
  return origin.kind === 'child' || origin.kind === 'peer' ? `${origin.kind}:${origin.systemId}` : origin.kind;
}
