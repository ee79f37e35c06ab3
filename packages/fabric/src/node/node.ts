import {
  ConnectorClosedError,
  FRAME_ROLES,
  FameError,
  LogLimiter,
  NOOP_LOGGER,
  systemIdProblem,
  randomId,
  SYSTEM_INBOX,
  type EnvelopeRejection,
  type FameEnvelope,
  type Logger,
  type NodeSecurity,
} from '@naylence/core';
import { LocalDelivery } from '../delivery/local-delivery.js';
import type { Link } from '../link/link.js';
import type { LinkOptions } from '../link/link-peer.js';
import { DEFAULT_HOP_LIMIT, Forwarder } from '../routing/forwarder.js';
import { leafRoute } from '../routing/leaf-policy.js';
import { Refusals } from '../routing/refusals.js';
import type { LinkRef } from '../routing/route-decision.js';
import { Router } from '../routing/router.js';
import { asError } from '../util/as-error.js';
import { Announcer } from './announcer.js';
import { planBinding } from './binding-plan.js';
import type { AttachInfo, NodeHooks } from './hooks.js';
import { Identity } from './identity.js';
import { registerInternals } from './internals.js';
import { stamped } from './stamp.js';
import { LocalBindings, type DeliveryContext, type EnvelopeHandler } from './local-bindings.js';
import { NodeMetrics, type NodeMetricsSnapshot } from './metrics.js';
import type { NodeOptions } from './node-options.js';
import type { NodeParts, NodeRole, NodeRoleFactory } from './node-role.js';
import { UpstreamSession } from './upstream-session.js';

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

/** How {@link FameNode.send} sends one envelope. */
export interface EnvelopeSendOptions {
  /**
   * The request this envelope answers, as your handler received it (`context.received ??
   * envelope`), so the security layer can answer at the request's protection level.
   */
  readonly inReplyTo?: FameEnvelope | undefined;
}

/**
 * A FAME node: a system id, a physical path once attached, local bindings (address →
 * handler), and optionally one upstream link to a parent sentinel. It is built from components
 * (identity, bindings, a router with a routing policy, local delivery, a forwarder, the
 * upstream session, the security component); a `Sentinel` is the same node with the sentinel
 * role's components added (child links, routes, peers) and its routing policy.
 */
export class FameNode implements AsyncDisposable {
  readonly systemId: string;
  readonly logger: Logger;
  readonly #options: NodeOptions;
  readonly #identity: Identity;
  readonly #security: NodeSecurity | undefined;
  readonly #bindings = new LocalBindings();
  readonly #hooks: readonly NodeHooks[];
  readonly #acceptedLogicals: readonly string[];
  readonly #parts: NodeParts;
  readonly #router: Router;
  readonly #announcer: Announcer;
  readonly #role: NodeRole | undefined;
  readonly #systemHandlers: EnvelopeHandler[] = [];
  readonly #metrics = new NodeMetrics();
  #upstream: UpstreamSession | undefined;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  /** @param role what makes this node more than a leaf (used by `Sentinel`) */
  constructor(options: NodeOptions = {}, role?: NodeRoleFactory) {
    this.#options = options;
    this.systemId = options.systemId ?? randomId();
    const invalid = systemIdProblem(this.systemId);
    if (invalid !== undefined) throw new FameError('INVALID_CONFIG', `invalid system id ${JSON.stringify(this.systemId)}: ${invalid}`);
    this.logger = (options.logger ?? NOOP_LOGGER).child({ nodeId: this.systemId });
    const identity = (this.#identity = new Identity(this.systemId));
    this.#hooks = options.hooks ?? [];
    const security = (this.#security = options.security?.name === 'none' ? undefined : options.security);
    this.#acceptedLogicals = options.requestedLogicals !== undefined ? [...options.requestedLogicals] : ['*'];
    const metrics = this.#metrics;
    const logLimiter = new LogLimiter();
    const linkOptions: Omit<LinkOptions, 'logger'> = {
      ...options.link,
      stages: { node: identity, inbound: security?.inbound?.bind(security), outbound: security?.outbound?.bind(security) },
      logLimiter,
      metrics,
    };
    const refusals = new Refusals({
      logger: this.logger,
      hooks: this.#hooks,
      metrics,
      limiter: logLimiter,
      get sid() {
        return identity.sid;
      },
      originate: (env, req) => this.#originate(env, req),
    });
    this.#parts = {
      identity,
      logger: this.logger,
      hooks: this.#hooks,
      security,
      metrics,
      logLimiter,
      linkOptions,
      bindings: this.#bindings,
      refusals,
      acceptedLogicals: this.#acceptedLogicals,
      hasParent: options.upstream !== undefined,
      upstream: () => this.#upstream,
      receive: (envelope, source) => this.#router.receive(envelope, source),
      originate: (envelope, inReplyTo) => this.#originate(envelope, inReplyTo),
      rejected: (envelope, rejection, direction, link) => this.#rejected(envelope, rejection, direction, link),
    };
    this.#role = role?.(this.#parts);
    const bindings = this.#bindings;
    const leafView = {
      resolveLocal: (destination: string) => bindings.resolve(destination, identity.physicalPath),
      byCapabilities: (capabilities: readonly string[]) => bindings.byCapabilities(capabilities),
      hasUpstream: options.upstream !== undefined,
    };
    this.#router = new Router({
      identity,
      policy: this.#role?.policy ?? ((envelope, source) => leafRoute(envelope, source, leafView)),
      delivery: new LocalDelivery({
        identity,
        logger: this.logger,
        hooks: this.#hooks,
        refusals,
        stage: security?.deliver?.bind(security),
        originate: (env, req) => this.#originate(env, req),
      }),
      forwarder: new Forwarder({
        hooks: this.#hooks,
        refusals,
        metrics,
        defaultTtl: options.defaultTtl ?? DEFAULT_HOP_LIMIT,
        senderFor: (hop) => (hop.role === 'upstream' ? this.#upstream : this.#role?.senderFor(hop)),
      }),
      refusals,
      security,
    });
    this.#announcer = new Announcer(identity, this.logger, () => this.#upstream);
    registerInternals(this, { parts: this.#parts, upstream: () => this.#upstream });
  }

  /** `/{parent…}/{systemId}` once attached; `/{systemId}` for a root; `''` before either. */
  get physicalPath(): string {
    return this.#identity.physicalPath;
  }

  /** What this node refused, dropped or cut off because of hostile, broken or slow peers (counters only grow). */
  get metrics(): NodeMetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /** secureDigest of the physical path, sent as `sid` on envelopes we originate. */
  get sid(): string | undefined {
    return this.#identity.sid;
  }

  get acceptedLogicals(): readonly string[] {
    return this.#acceptedLogicals;
  }

  get isRunning(): boolean {
    return this.#state === 'running';
  }

  /** Whether the node has a live link to its parent (always false for a root). */
  get isAttached(): boolean {
    return this.#upstream?.isAttached ?? false;
  }

  get hasParent(): boolean {
    return this.#options.upstream !== undefined;
  }

  /** `__sys__@{physicalPath}`. */
  get systemInboxAddress(): string {
    return this.#identity.systemInbox;
  }

  /** Attach to the parent (if any), start the security component and the role, and serve. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new FameError('INVALID_CONFIG', `node ${this.systemId} was already started`);
    this.#state = 'starting';
    // Physical bindings match `name@{our current path}`, whatever the path turns out to be.
    this.#bindings.add({ address: `${SYSTEM_INBOX}@/`, handler: (env, ctx) => this.#onSystemInbox(env, ctx), capabilities: [] });
    try {
      await this.#security?.start?.({
        node: this.#identity,
        logger: this.logger,
        send: (env, opts) => this.send(env, opts),
        sendVia: (link, env, opts) => this.#sendVia(link, env, opts?.inReplyTo),
      });
      const upstream = this.#options.upstream;
      if (upstream) {
        this.#upstream = new UpstreamSession(this.#sessionHost(), upstream, 'downstream');
        await this.#upstream.start();
      } else {
        await this.#identity.adopt(`/${this.systemId}`);
      }
      this.#state = 'running';
      await this.#role?.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.#role?.stop();
    await this.#upstream?.stop();
    await this.#security?.stop?.();
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
    const plan = planBinding(address, this);
    const capabilities = [...(options?.capabilities ?? [])];
    for (const local of plan.localAddresses) this.#bindings.add({ address: local, handler, capabilities });
    await this.#announcer.declare(address, { ...plan, capabilities });
    return { address, localAddresses: plan.localAddresses, upstreamAddress: plan.upstreamAddress, unbind: () => this.unbind(address) };
  }

  /** Stop serving an address bound with {@link bind}. */
  async unbind(address: string): Promise<void> {
    const declared = this.#announcer.forget(address);
    if (!declared) return;
    for (const local of declared.localAddresses) this.#bindings.remove(local);
    await this.#announcer.withdraw(declared);
  }

  /**
   * Originate an envelope: delivers it locally or sends it on, with `sid` stamped, and a
   * `corrId` plus our system inbox as `replyTo` when the envelope expects an answer and has
   * none (on a copy: `envelope` itself is never changed, so it can be sent again).
   * Resolves when it is accepted locally or handed to a link.
   * @throws DeliveryNackError (`NO_ROUTE`, …) when it cannot be routed at all; the security
   *   layer's error when it refuses the envelope
   */
  send(envelope: FameEnvelope, options?: EnvelopeSendOptions): Promise<void> {
    const owned = stamped(envelope, this.#identity);
    try {
      const result = this.#router.route(owned, undefined, options?.inReplyTo);
      return result instanceof Promise ? result.then(noop) : RESOLVED;
    } catch (error) {
      return Promise.reject(asError(error));
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

  /** Originate an envelope straight down the link to `to` (the security layer's own messages). */
  #sendVia(to: LinkRef, envelope: FameEnvelope, inReplyTo: FameEnvelope | undefined): Promise<void> {
    const sender = to.role === 'upstream' ? this.#upstream : this.#role?.senderFor(to);
    if (sender === undefined) return Promise.reject(new ConnectorClosedError(`no attached link to ${to.role} ${to.systemId}`));
    return sender.send(stamped(envelope, this.#identity), inReplyTo === undefined ? undefined : { inReplyTo });
  }

  /** Send an envelope this node generated itself (acks, NACKs) without failing anyone. */
  #originate(envelope: FameEnvelope, inReplyTo?: FameEnvelope): void {
    this.send(envelope, inReplyTo === undefined ? undefined : { inReplyTo }).catch((error: Error) =>
      this.logger.warn({ err: error, frameType: envelope.frame.type, to: envelope.to }, 'could not send a generated envelope'),
    );
  }

  #rejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void {
    this.#parts.refusals.rejected(envelope, rejection, direction, link.peer);
  }

  /** Everything the parent sends after attach. */
  #fromParent(envelope: FameEnvelope, link: Link): void | Promise<unknown> {
    if (this.#hooks.length) for (const h of this.#hooks) h.onEnvelopeReceived?.(envelope, link.peer);
    const type = envelope.frame.type;
    switch (FRAME_ROLES[type]) {
      case 'routed':
      case 'security':
        return this.#router.receive(envelope, link.peer);
      case 'control-ack':
        if (type === 'NodeHeartbeatAck') {
          if (this.#upstream?.heartbeatAcked((envelope.frame as { routingEpoch?: string }).routingEpoch)) {
            this.logger.info('parent routing epoch changed; re-binding');
            void this.#announcer.announceAll();
          }
        } else if (!this.#upstream?.pending.settle(envelope.corrId, envelope)) {
          this.logger.debug({ frameType: type, corrId: envelope.corrId }, 'unexpected control ack');
        }
        return undefined;
      default:
        this.logger.debug({ frameType: type }, 'ignored a frame from the parent');
        return undefined;
    }
  }

  /** Envelopes to `__sys__@{ourPath}`. */
  #onSystemInbox(envelope: FameEnvelope, context: DeliveryContext): void {
    if (this.#systemHandlers.length === 0) {
      this.logger.debug({ frameType: envelope.frame.type, corrId: envelope.corrId }, 'system inbox: nothing to do');
      return;
    }
    for (const handler of this.#systemHandlers) void handler(envelope, context);
  }

  async #onAttached(info: AttachInfo): Promise<void> {
    const identity = this.#identity;
    if (identity.physicalPath !== '' && identity.physicalPath !== info.physicalPath) {
      this.logger.warn({ from: identity.physicalPath, to: info.physicalPath }, 'physical path changed on re-attach');
    }
    await identity.adopt(info.physicalPath);
    if (this.#hooks.length) for (const h of this.#hooks) h.onAttached?.(info);
    await this.#announcer.announceAll();
    await this.#role?.afterAttach(info);
  }

  #sessionHost(): ConstructorParameters<typeof UpstreamSession>[0] {
    const identity = this.#identity;
    return {
      systemId: this.systemId,
      get sid() {
        return identity.sid;
      },
      logger: this.logger,
      linkOptions: this.#parts.linkOptions,
      security: this.#security,
      attachFields: () => ({ acceptedLogicals: [...this.#acceptedLogicals] }),
      onEnvelope: (envelope, link) => this.#fromParent(envelope, link),
      onRejected: (envelope, rejection, direction, link) => this.#rejected(envelope, rejection, direction, link),
      onAttached: (info) => this.#onAttached(info),
      onDetached: (info) => {
        if (this.#hooks.length) for (const h of this.#hooks) h.onDetached?.(info);
      },
    };
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
function noop(): void {}
