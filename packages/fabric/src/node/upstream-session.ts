import {
  BackPressureError,
  ConnectorClosedError,
  createEnvelope,
  randomId,
  unrefTimer,
  type CloseInfo,
  type Dialer,
  type EnforcedProfiles,
  type EnvelopeRejection,
  type FameEnvelope,
  type FameFrame,
  type Logger,
  type NodeSecurity,
  type OriginType,
} from '@naylence/core';
import type { Link } from '../link/link.js';
import { sentAsResponse, type LinkOptions, type LinkSendOptions } from '../link/link-peer.js';
import { backoffDelay, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from '../util/backoff.js';
import { sleep } from '../util/timers.js';
import { attach } from './attach-client.js';
import { controlRequest } from './control-request.js';
import type { AttachInfo, DetachInfo } from './hooks.js';
import { PendingRequests } from './pending-requests.js';

export interface UpstreamOptions {
  /** Opens links to the parent (or peer); called again for every reconnect. */
  readonly dialer: Dialer;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Wait for NodeAttachAck. Default 10 000 ms. */
  readonly attachTimeoutMs?: number;
  /** NodeHeartbeat period; the link is dropped after two periods without an ack. Default 15 000 ms. */
  readonly heartbeatMs?: number;
  /** Wait for bind/advertise acks. Default 20 000 ms. */
  readonly ackTimeoutMs?: number;
  /** Envelopes kept while detached before sends fail with BACK_PRESSURE (responses have as many again of their own). Default 512. */
  readonly detachedQueueLimit?: number;
  /**
   * Profiles this upstream enforces, for the fail-closed check of `createFabric` (e.g.
   * `{ admission: ['direct'] }` when its dialer fetches the OAuth2 admission tokens that
   * `FAME_ADMISSION_TOKEN_URL` asks for).
   */
  readonly enforces?: Partial<EnforcedProfiles>;
}

/** What the session needs from its node. */
export interface SessionHost {
  readonly systemId: string;
  readonly logger: Logger;
  readonly linkOptions: Omit<LinkOptions, 'logger'>;
  readonly security: NodeSecurity | undefined;
  /** Our current sid, stamped on envelopes the session originates (control requests, heartbeats). */
  readonly sid: string | undefined;
  /** Extra NodeAttach fields (logicals, capabilities). */
  attachFields(): { acceptedLogicals?: string[]; capabilities?: string[] };
  /** An envelope from the parent, after attach. Same contract as LinkHandler.onEnvelope. */
  onEnvelope(envelope: FameEnvelope, link: Link): void | Promise<unknown>;
  /** A security stage refused an envelope on the link (see LinkHandler.onRejected). */
  onRejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void;
  /** The parent accepted us; re-bind and re-advertise before queued traffic flows. */
  onAttached(info: AttachInfo, session: UpstreamSession): Promise<void>;
  onDetached(info: DetachInfo): void;
}

interface Queued {
  readonly envelope: FameEnvelope;
  readonly response: boolean;
  readonly options: LinkSendOptions | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

type State = 'idle' | 'connecting' | 'attached' | 'detached' | 'stopped';

/**
 * The child side of one upstream (or peer) link: dial, attach (protocol-core §4.4),
 * heartbeats, and reconnect with exponential backoff and jitter. While detached, sends wait in
 * a bounded queue and go out after the next attach.
 */
export class UpstreamSession {
  readonly originType: OriginType;
  readonly pending = new PendingRequests();
  readonly #host: SessionHost;
  readonly #dialer: Dialer;
  readonly #policy: ReconnectPolicy;
  readonly #attachTimeoutMs: number;
  readonly #heartbeatMs: number;
  readonly #ackTimeoutMs: number;
  readonly #queueLimit: number;
  readonly #queue: Queued[] = [];
  #queuedResponses = 0;
  readonly #stop = new AbortController();
  readonly #logger: Logger;
  #state: State = 'idle';
  #link: Link | undefined;
  #attach: AttachInfo | undefined;
  #attachedAt = 0;
  #attempt = 0;
  #lastAckAt = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #reconnecting = false;

  constructor(host: SessionHost, options: UpstreamOptions, originType: OriginType = 'downstream') {
    this.#host = host;
    this.#dialer = options.dialer;
    this.#policy = { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect };
    this.#attachTimeoutMs = options.attachTimeoutMs ?? 10_000;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 20_000;
    this.#queueLimit = options.detachedQueueLimit ?? 512;
    this.originType = originType;
    this.#logger = host.logger.child({ upstream: options.dialer.transport, originType });
  }

  get #stopped(): boolean {
    return this.#state === 'stopped';
  }

  get isAttached(): boolean {
    return this.#state === 'attached';
  }

  get attachInfo(): AttachInfo | undefined {
    return this.#attach;
  }

  get link(): Link | undefined {
    return this.#link;
  }

  /** First attach: fails after `maxInitialAttempts`; afterwards the session retries forever. */
  async start(): Promise<AttachInfo> {
    const max = this.#policy.maxInitialAttempts;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#connectOnce();
      } catch (error) {
        if (this.#stopped) throw error;
        if (max !== 0 && attempt + 1 >= max) {
          this.#state = 'detached';
          throw error;
        }
        const delay = backoffDelay(this.#policy, attempt);
        this.#logger.warn({ err: error, attempt: attempt + 1, retryInMs: delay }, 'attach failed; retrying');
        await sleep(delay, this.#stop.signal);
      }
    }
  }

  /** Send to the parent now, or after the next attach while detached (bounded queue). */
  send(envelope: FameEnvelope, options?: LinkSendOptions): Promise<void> {
    if (this.#stopped) return Promise.reject(new ConnectorClosedError('upstream session is stopped'));
    const link = this.#link;
    if (this.#state === 'attached' && link !== undefined) return link.send(envelope, options);
    // Responses never wait behind (or get refused because of) requests and one-way envelopes.
    const response = sentAsResponse(envelope, options);
    const waiting = response ? this.#queuedResponses : this.#queue.length - this.#queuedResponses;
    if (waiting >= this.#queueLimit) {
      return Promise.reject(new BackPressureError(`not attached to the parent and ${waiting} envelopes already wait`));
    }
    if (response) this.#queuedResponses += 1;
    return new Promise((resolve, reject) => this.#queue.push({ envelope, response, options, resolve, reject }));
  }

  /** See `Link.paces` (false while detached: queued envelopes are accepted). */
  paces(envelope: FameEnvelope): boolean {
    return this.#state === 'attached' && this.#link !== undefined && this.#link.paces(envelope);
  }

  /** Send a control frame (bind, advertise, …) with rtype ACK and wait for its ack. */
  request(frame: FameFrame, replyTo: string | undefined): Promise<FameEnvelope> {
    return controlRequest((envelope) => this.send(envelope), this.pending, frame, {
      replyTo,
      sid: this.#host.sid,
      timeoutMs: this.#ackTimeoutMs,
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#state = 'stopped';
    this.#stop.abort();
    this.#stopTimers();
    const closed = new ConnectorClosedError('upstream session stopped');
    this.pending.failAll(closed);
    for (const q of this.#queue.splice(0)) q.reject(closed);
    this.#queuedResponses = 0;
    await this.#link?.close(1000, 'normal closure');
  }

  async #connectOnce(): Promise<AttachInfo> {
    this.#state = 'connecting';
    const host = this.#host;
    const connector = await this.#dialer.dial({ systemId: host.systemId, originType: this.originType, signal: this.#stop.signal });
    if (this.#stopped) {
      await connector.close(1000, 'normal closure');
      throw new ConnectorClosedError('upstream session stopped');
    }
    const { link, info, ack, buffered } = await attach(connector, {
      systemId: host.systemId,
      originType: this.originType,
      logger: this.#logger,
      link: host.linkOptions,
      security: host.security,
      timeoutMs: this.#attachTimeoutMs,
      fields: host.attachFields(),
      onEnvelope: (envelope, l) => host.onEnvelope(envelope, l),
      onRejected: (envelope, rejection, direction, l) => host.onRejected(envelope, rejection, direction, l),
      onClose: (l, closeInfo) => this.#onLinkClosed(l, closeInfo),
    });
    this.#link = link;
    this.#attach = info;
    this.#attachedAt = Date.now();
    this.#lastAckAt = Date.now();
    this.#state = 'attached';
    this.#logger.info({ parent: info.parentSystemId, path: info.physicalPath, epoch: info.routingEpoch }, 'attached');
    host.security?.onLinkAttached?.(link.peer);
    this.#startHeartbeat(link);
    this.#scheduleExpiry(link, ack.expiresAt);
    for (const envelope of buffered) void host.onEnvelope(envelope, link);
    try {
      await host.onAttached(info, this);
    } catch (error) {
      this.#logger.warn({ err: error }, 're-binding after attach failed');
    }
    this.#flushQueue(link);
    return info;
  }

  /** Called by the node for every NodeHeartbeatAck. Returns true when the parent's routing epoch changed. */
  heartbeatAcked(routingEpoch: string | undefined): boolean {
    this.#lastAckAt = Date.now();
    const info = this.#attach;
    if (info === undefined || routingEpoch === undefined || routingEpoch === info.routingEpoch) return false;
    this.#attach = { ...info, routingEpoch };
    return true;
  }

  #flushQueue(link: Link): void {
    const queue = this.#queue.splice(0);
    this.#queuedResponses = 0;
    // responses first
    for (const q of queue) if (q.response) link.send(q.envelope, q.options).then(q.resolve, q.reject);
    for (const q of queue) if (!q.response) link.send(q.envelope, q.options).then(q.resolve, q.reject);
  }

  #startHeartbeat(link: Link): void {
    this.#stopTimers();
    this.#heartbeat = setInterval(() => {
      if (link !== this.#link || !link.isOpen) return;
      if (Date.now() - this.#lastAckAt > 2 * this.#heartbeatMs) {
        this.#logger.warn({ silentForMs: Date.now() - this.#lastAckAt }, 'no heartbeat ack from the parent; reconnecting');
        void link.close(1000, 'heartbeat timeout');
        return;
      }
      const sid = this.#host.sid;
      const beat = createEnvelope({ ...(sid !== undefined && { sid }), corrId: randomId(), frame: { type: 'NodeHeartbeat' } });
      link.send(beat).catch((error: Error) => this.#logger.debug({ err: error }, 'heartbeat not sent'));
    }, this.#heartbeatMs);
    unrefTimer(this.#heartbeat);
  }

  #scheduleExpiry(link: Link, expiresAt: string | undefined): void {
    if (expiresAt === undefined) return;
    const due = Date.parse(expiresAt) - 60_000 - Date.now();
    if (!Number.isFinite(due)) return;
    this.#expiry = setTimeout(
      () => {
        if (link === this.#link) void link.close(1000, 'attach expiring');
      },
      Math.max(0, due),
    );
    unrefTimer(this.#expiry);
  }

  #stopTimers(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#expiry) clearTimeout(this.#expiry);
    this.#heartbeat = undefined;
    this.#expiry = undefined;
  }

  #onLinkClosed(link: Link, info: CloseInfo): void {
    if (link !== this.#link) return;
    this.#link = undefined;
    this.#host.security?.onLinkClosed?.(link.peer);
    this.#stopTimers();
    this.pending.failAll(new ConnectorClosedError(`upstream link closed (${info.code} ${info.reason})`, info.code));
    if (this.#stopped) return;
    this.#state = 'detached';
    if (Date.now() - this.#attachedAt >= this.#policy.resetAfterMs) this.#attempt = 0;
    this.#logger.warn({ code: info.code, reason: info.reason }, 'upstream link lost; reconnecting');
    this.#host.onDetached({ code: info.code, reason: info.reason });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      while (this.#state !== 'stopped' && this.#state !== 'attached') {
        const delay = backoffDelay(this.#policy, this.#attempt);
        this.#attempt += 1;
        try {
          await sleep(delay, this.#stop.signal);
          await this.#connectOnce();
        } catch (error) {
          if (this.#stopped) return;
          this.#state = 'detached';
          this.#logger.warn({ err: error, attempt: this.#attempt }, 'reconnect failed');
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }
}
