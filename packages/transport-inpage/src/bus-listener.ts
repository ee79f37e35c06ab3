import {
  ConnectorClosedError,
  NOOP_LOGGER,
  createAttachRefusal,
  encodeEnvelope,
  randomId,
  type AuthorizationContext,
  type Authorizer,
  type ListenerAddress,
  type ListenerHost,
  type Logger,
  type TransportListener,
} from '@naylence/core';
import { BusConnector, DEFAULT_HIGH_WATER_MARK } from './bus-connector.js';
import { BusEndpoint } from './bus-endpoint.js';
import { DEFAULT_CHANNEL_NAME, type BusMessage } from './bus-message.js';
import type { Bus } from './buses.js';

/** Default most links one listener holds at a time. */
export const DEFAULT_MAX_LINKS = 1024;

const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_INTERNAL = 1011;
const CLOSE_TRY_AGAIN_LATER = 1013;

export interface BusListenerOptions {
  /** The channel to listen on. Default `naylence-fabric` (the reference's). */
  readonly channelName?: string;
  /** Authenticates each link's bearer token before the node sees it; absent = open. */
  readonly authorizer?: Authorizer;
  /** Outbound high-water mark of the links, in bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Links held at once; more are refused with 1013 `Try again later`. Default 1024. */
  readonly maxLinks?: number;
  readonly logger?: Logger;
}

/**
 * Accepts links over a bus (in-page or BroadcastChannel) on a named channel: a core
 * {@link TransportListener}. Typically a sentinel in a page or worker listens, and agents in the
 * same page (in-page), or in frames, tabs and workers of the same origin (BroadcastChannel)
 * dial it.
 *
 * Each `open` on the channel addressed to this node (or to `*`) becomes a link, as a WebSocket
 * upgrade does: refused with a close where it must be (1008 `Self attachment not allowed`, 1011
 * `Node not ready`, 1013 `Try again later` beyond `maxLinks`); with an authorizer, the token
 * goes to `authenticate("Bearer <token>")`, and a refusal sends one NodeAttachAck `ok:false` and
 * closes 1008 `Authentication failed` (1011 `Internal error` when the authorizer throws).
 *
 * A bus is open to every script of the origin: a token crossing it can be read by any of them,
 * so the authorizer guards against mistakes and stale pages, not against code of the same origin.
 */
export class BusListener implements TransportListener {
  readonly transport: string;
  readonly authorizer: Authorizer | undefined;
  readonly #bus: Bus;
  readonly #options: BusListenerOptions;
  readonly #channel: string;
  readonly #links = new Map<string, BusConnector>();
  readonly #opening = new Set<string>();
  #endpoint: BusEndpoint | undefined;
  #host: ListenerHost | undefined;
  #logger: Logger;

  constructor(bus: Bus, options: BusListenerOptions = {}) {
    this.#bus = bus;
    this.transport = bus.transport;
    this.#options = options;
    this.authorizer = options.authorizer;
    this.#channel = options.channelName ?? DEFAULT_CHANNEL_NAME;
    this.#logger = options.logger ?? NOOP_LOGGER;
  }

  /** Links currently open. */
  get linkCount(): number {
    return this.#links.size;
  }

  /** @throws ConnectorClosedError when already listening; ConfigError when the platform lacks the bus */
  listen(host: ListenerHost): Promise<ListenerAddress> {
    if (this.#endpoint !== undefined) return Promise.reject(new ConnectorClosedError(`${this.transport} listener is already listening`));
    this.#logger = (this.#options.logger ?? host.logger).child({ transport: this.transport, channel: this.#channel });
    try {
      this.#endpoint = new BusEndpoint(this.#bus, this.#channel, this.#logger, (message) => this.#onOpen(message));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.#host = host;
    if (this.authorizer === undefined) this.#logger.warn(`${this.transport} listener has no authorizer: links are not authenticated`);
    return Promise.resolve({ host: this.transport, port: 0, url: `${this.transport}://${encodeURIComponent(this.#channel)}` });
  }

  async close(): Promise<void> {
    const endpoint = this.#endpoint;
    this.#host = undefined;
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.close(CLOSE_GOING_AWAY, 'Listener closing')));
    endpoint?.close();
  }

  #onOpen(message: BusMessage): void {
    const host = this.#host;
    const endpoint = this.#endpoint;
    if (host === undefined || endpoint === undefined || message.ctl?.type !== 'open') return;
    if (message.targetNodeId !== '*' && message.targetNodeId !== host.systemId) return; // for another node
    // Dialers repeat `open` until accepted.
    if (this.#links.has(message.senderId) || this.#opening.has(message.senderId)) return;
    const { originType, token, window } = message.ctl;
    const systemId = message.senderNodeId;
    const log = this.#logger.child({ systemId, originType });
    const link = new BusConnector(
      endpoint,
      { id: randomId(), nodeId: host.systemId, peerId: message.senderId, peerNodeId: systemId, peerHighWaterMark: window },
      { highWaterMark: this.#options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, logger: this.#logger },
      () => {
        if (this.#links.get(message.senderId) === link) this.#links.delete(message.senderId);
      },
    );
    this.#links.set(message.senderId, link);
    endpoint.post({
      senderId: link.id,
      senderNodeId: host.systemId,
      targetNodeId: systemId,
      targetId: message.senderId,
      ctl: { type: 'accept', window: this.#options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK },
    });

    if (this.#links.size > (this.#options.maxLinks ?? DEFAULT_MAX_LINKS)) {
      log.warn({ links: this.#links.size - 1 }, 'refusing attach: too many links');
      void link.close(CLOSE_TRY_AGAIN_LATER, 'Try again later');
    } else if (systemId === host.systemId) {
      log.info('refusing attach: self attachment');
      void link.close(CLOSE_POLICY, 'Self attachment not allowed');
    } else if (!host.isReady()) {
      log.warn('refusing attach: node not ready');
      void link.close(CLOSE_INTERNAL, 'Node not ready');
    } else if (this.authorizer === undefined) {
      this.#accept(host, link, originType, systemId, undefined, log);
    } else {
      this.#opening.add(message.senderId);
      this.authorizer
        .authenticate(token === undefined ? undefined : `Bearer ${token}`)
        .then(
          (context) => {
            if (context === undefined || !context.authenticated) {
              log.warn({ tokenPresented: token !== undefined }, 'authentication failed');
              refuseLink(link, 'Authentication failed', CLOSE_POLICY, 'Authentication failed');
            } else {
              this.#accept(host, link, originType, systemId, context, log);
            }
          },
          (error: unknown) => {
            log.error({ err: error }, 'authorizer failed');
            refuseLink(
              link,
              `Unhandled error: ${error instanceof Error ? error.message : String(error)}`,
              CLOSE_INTERNAL,
              'Internal error',
            );
          },
        )
        .finally(() => this.#opening.delete(message.senderId));
    }
  }

  #accept(
    host: ListenerHost,
    link: BusConnector,
    originType: 'downstream' | 'peer',
    systemId: string,
    authorization: AuthorizationContext | undefined,
    log: Logger,
  ): void {
    // The peer may have left, or the listener closed, while it was being authenticated.
    if (link.state !== 'open' || this.#host !== host) {
      void link.close(CLOSE_GOING_AWAY, 'Listener closing');
      return;
    }
    try {
      host.accept({ connector: link, originType, systemId, ...(authorization !== undefined && { authorization }) });
      log.debug('link accepted');
    } catch (error) {
      log.error({ err: error }, 'host refused the link');
      void link.close(CLOSE_INTERNAL, 'Internal error');
    }
  }
}

/** Sends one NodeAttachAck `ok:false` and closes the link. */
function refuseLink(link: BusConnector, ackReason: string, code: number, closeReason: string): void {
  if (link.state !== 'open') return;
  link.send(encodeEnvelope(createAttachRefusal(ackReason)));
  void link.close(code, closeReason);
}
