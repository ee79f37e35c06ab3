import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  AuthThrottle,
  ConfigError,
  ConnectionLimits,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  LogLimiter,
  OVER_CAP_RESPONSE,
  NOOP_LOGGER,
  clipText,
  type AuthorizationContext,
  type Authorizer,
  type ListenerAddress,
  type ListenerHost,
  type Logger,
  type TransportListener,
} from '@naylence/core';
import type { WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, CLOSE_INTERNAL, CLOSE_POLICY } from './close-codes.js';
import { DEFAULT_HIGH_WATER_MARK, WebSocketConnector } from './connector.js';
import { DEFAULT_MAX_PAYLOAD } from './dialer.js';
import { DEFLATE_OPTIONS, loadWs, type NodeWebSocket } from './platform/node.js';
import {
  DEFAULT_LISTENER_HOST,
  DEFAULT_UPGRADE_TIMEOUT_MS,
  PEER_NOT_AUTHORIZED,
  type WebSocketListenerHealth,
  type WebSocketListenerOptions,
  type WebSocketListenerStats,
} from './listener-options.js';
import { errorMessage, headerValue, LinkLog, refuseLink, refuseUpgrade, startServer, urlHost } from './listener-support.js';
import { HEALTH_PATH, isAttachPath, parseAttachRoute, readBearerOffer, requestPath, type AttachRoute } from './route.js';

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Accepts WebSocket attach links for a node (a sentinel) on
 * `/fame/v1/attach/ws/{downstream|peer}/{systemId}` (protocol-core §4.1–§4.2), standalone or
 * mounted on an existing HTTP server.
 *
 * Every upgrade under the prefix is accepted, then refused with a close where the route calls
 * for it: 1008 `Invalid attach route` / `Invalid origin type` / `Self attachment not allowed`,
 * 1011 `Node not ready`. With an authorizer, the token (subprotocols `bearer, <token>`, a
 * single `bearer <token>` entry, or `Authorization: Bearer`) goes to `authenticate`; a refusal
 * sends one NodeAttachAck `ok:false` (binary, camelCase) and closes 1008
 * `Authentication failed`, an authorizer that throws closes 1011 `Internal error`. Messages
 * that arrive meanwhile are buffered. Accepted links go to `host.accept`.
 *
 * The edge is bounded: connections are capped in total and per remote address (503 past a
 * cap), a connection must complete its upgrade within `upgradeTimeoutMs`, failed
 * authentication slows its address down, peer links need a `peerAuthorizer` once links are
 * authenticated at all, system ids must be valid path segments (1008 `Invalid system id`),
 * and log lines carry only clipped peer input, rate-limited.
 */
export class WebSocketListener implements TransportListener, AsyncDisposable {
  readonly transport = 'websocket';
  readonly authorizer?: Authorizer;
  readonly peerAuthorizer?: Authorizer;

  readonly #options: WebSocketListenerOptions;
  readonly #links = new Set<WebSocketConnector>();
  readonly #limits: ConnectionLimits;
  readonly #throttle: AuthThrottle;
  readonly #limiter = new LogLimiter();
  readonly #counts = { upgradeTimeouts: 0, authFailures: 0, peersRefused: 0 };
  /** Connections to our own server that have not upgraded yet, with their deadline; one timer sweeps them. */
  readonly #upgrading = new Map<Socket, number>();
  #upgradeSweep: ReturnType<typeof setInterval> | undefined;
  readonly #forget = (connector: WebSocketConnector): void => void this.#links.delete(connector);
  #host: ListenerHost | undefined;
  #logger: Logger;
  #wss: WebSocketServer | undefined;
  #server: Server | undefined;
  #ownsServer = false;
  #onUpgrade: UpgradeHandler | undefined;
  #listening: Promise<ListenerAddress> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: WebSocketListenerOptions = {}) {
    this.#options = options;
    if (options.authorizer !== undefined) this.authorizer = options.authorizer;
    if (options.peerAuthorizer !== undefined) this.peerAuthorizer = options.peerAuthorizer;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#limits = new ConnectionLimits(
      options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    );
    this.#throttle = new AuthThrottle(options.authFailureMaxDelayMs ?? DEFAULT_AUTH_FAILURE_MAX_DELAY_MS);
  }

  /** What the listener refused or cut off so far, and the connections open now. */
  get stats(): WebSocketListenerStats {
    return {
      connections: this.#limits.total,
      refusedOverCap: this.#limits.refused,
      delayedAuthAttempts: this.#throttle.delayed,
      throttledAuthAttempts: this.#throttle.refused,
      ...this.#counts,
    };
  }

  /** Links currently open (being authenticated or accepted). */
  get activeConnections(): number {
    return this.#links.size;
  }

  /**
   * Starts accepting links for `host`. Call once.
   * @returns where peers attach: `url` is `ws://{host}:{port}/fame/v1/attach/ws/downstream`
   *   (127.0.0.1 when bound to all interfaces)
   */
  listen(host: ListenerHost): Promise<ListenerAddress> {
    if (this.#closing !== undefined) return Promise.reject(new ConfigError('WebSocket listener is closed'));
    if (this.#listening !== undefined) return Promise.reject(new ConfigError('WebSocket listener is already listening'));
    this.#listening = this.#listen(host);
    return this.#listening;
  }

  async #listen(host: ListenerHost): Promise<ListenerAddress> {
    this.#logger = (this.#options.logger ?? host.logger).child({ transport: 'websocket', listener: 'WebSocketListener' });
    const ws = await loadWs();
    this.#wss = new ws.WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.#options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: this.#options.perMessageDeflate === true ? DEFLATE_OPTIONS : false,
    });
    const bindHost = this.#options.host ?? DEFAULT_LISTENER_HOST;
    const port = this.#options.port ?? 0;
    let server = this.#options.server;
    if (server === undefined) {
      const http = await import('node:http');
      const onRequest: RequestHandler = (request, response) => {
        if (!this.handleRequest(request, response)) response.writeHead(404).end();
      };
      const timeoutMs = this.#options.upgradeTimeoutMs ?? DEFAULT_UPGRADE_TIMEOUT_MS;
      server = http.createServer(
        timeoutMs > 0
          ? { headersTimeout: timeoutMs, requestTimeout: timeoutMs, connectionsCheckingInterval: Math.min(1_000, timeoutMs) }
          : {},
        onRequest,
      );
      server.on('connection', (socket: Socket) => this.#onConnection(socket, timeoutMs));
      this.#ownsServer = true;
      this.#onUpgrade = (request, socket, head) => {
        if (!this.handleUpgrade(request, socket, head)) refuseUpgrade(socket, 404);
      };
    } else {
      this.#onUpgrade = (request, socket, head) => void this.handleUpgrade(request, socket, head);
    }
    this.#server = server;
    server.on('upgrade', this.#onUpgrade);
    this.#host = host;
    if (!server.listening) await startServer(server, port, bindHost);
    if (this.authorizer === undefined) this.#logger.warn('WebSocket listener has no authorizer: links are not authenticated');

    const address = server.address() as AddressInfo;
    const result: ListenerAddress = {
      host: address.address,
      port: address.port,
      url: `ws://${urlHost(address.address)}:${address.port}/fame/v1/attach/ws/downstream`,
    };
    this.#logger.info({ url: result.url }, 'WebSocket listener ready');
    return result;
  }

  /** The health document of `GET /fame/v1/attach/health`. */
  health(): WebSocketListenerHealth {
    return {
      status: 'healthy',
      active_connections: this.#links.size,
      listenerType: 'WebSocketListener',
      listener_type: 'WebSocketListener',
    };
  }

  /**
   * Answers `GET /fame/v1/attach/health` (200, JSON) and returns true; returns false, without
   * touching the response, for any other request. For servers this listener is mounted on.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (requestPath(request.url) !== HEALTH_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const body = JSON.stringify(this.health());
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * Takes an HTTP upgrade request if its path is under `/fame/v1/attach/ws` (returns true) and
   * leaves it untouched otherwise (returns false). Mounted and standalone listeners call this
   * from the server's `upgrade` event; frameworks can call it directly.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = requestPath(request.url);
    if (!isAttachPath(path)) return false;
    if (!socket.writable) {
      socket.destroy(); // already refused (over a connection cap) when it connected
      return true;
    }
    this.#upgrading.delete(socket as Socket);
    const host = this.#host;
    const wss = this.#wss;
    if (host === undefined || wss === undefined || this.#closing !== undefined) {
      refuseUpgrade(socket, 503);
      return true;
    }
    if (!this.#limits.admit(request.socket)) {
      this.#overCap(request.socket);
      refuseUpgrade(socket, 503);
      return true;
    }
    const route = parseAttachRoute(path);
    const offer = readBearerOffer(headerValue(request.headers['sec-websocket-protocol']), request.headers.authorization);
    // The token is no subprotocol to negotiate: leave `ws` only the `bearer` entry to select
    // (a `bearer <token>` entry would not even parse as a subprotocol).
    if (offer.protocol !== undefined) request.headers['sec-websocket-protocol'] = offer.protocol;
    const upgrade = (): void => wss.handleUpgrade(request, socket, head, (ws) => this.#onSocket(ws, request, route, offer.token, host));
    // An address whose authentication failed recently waits before its upgrade completes (so
    // before its credentials are checked): guessing tokens gets slow, and the peer sees nothing
    // different from a slow server.
    const address = request.socket.remoteAddress ?? '';
    const delayMs = this.authorizer !== undefined || this.peerAuthorizer !== undefined ? this.#throttle.delayFor(address) : 0;
    if (delayMs === 0) upgrade();
    else if (delayMs < 0) {
      this.#limiter.log(
        this.#logger,
        'warn',
        'auth-throttled',
        { remoteAddress: address },
        'refused an upgrade (429): too many attempts after failed authentication from its address',
      );
      refuseUpgrade(socket, 429);
    } else {
      if (typeof (socket as Partial<Socket>).setTimeout === 'function') (socket as Socket).setTimeout(0);
      this.#limiter.log(
        this.#logger,
        'info',
        'auth-delayed',
        { remoteAddress: address, delayMs },
        'delaying an upgrade after failed authentication from its address',
      );
      setTimeout(() => (socket.destroyed ? undefined : upgrade()), delayMs);
    }
    return true;
  }

  /** Stops accepting, closes every live link with 1001 and, if it created it, the server. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A TCP connection to our own server: counted against the caps, and closed unless it upgrades in time. */
  #onConnection(socket: Socket, timeoutMs: number): void {
    if (!this.#limits.admit(socket)) {
      this.#overCap(socket);
      socket.on('error', () => {}); // the peer may still write, or reset
      socket.end(OVER_CAP_RESPONSE);
      return;
    }
    if (timeoutMs > 0) {
      this.#upgrading.set(socket, Date.now() + timeoutMs);
      if (this.#upgradeSweep === undefined) {
        this.#upgradeSweep = setInterval(() => this.#sweepUpgrades(), Math.max(10, Math.min(1_000, timeoutMs / 4)));
        this.#upgradeSweep.unref();
      }
    }
  }

  /** Closes the connections whose upgrade deadline passed (and forgets closed ones). */
  #sweepUpgrades(): void {
    const now = Date.now();
    for (const [socket, deadline] of this.#upgrading) {
      if (socket.destroyed) this.#upgrading.delete(socket);
      else if (now >= deadline) {
        this.#upgrading.delete(socket);
        this.#counts.upgradeTimeouts += 1;
        this.#limiter.log(
          this.#logger,
          'info',
          'upgrade-timeout',
          { remoteAddress: socket.remoteAddress },
          'closed a connection that did not complete the WebSocket upgrade in time',
        );
        socket.destroy();
      }
    }
    if (this.#upgrading.size === 0) {
      clearInterval(this.#upgradeSweep);
      this.#upgradeSweep = undefined;
    }
  }

  #overCap(socket: { remoteAddress?: string | undefined }): void {
    this.#limiter.log(
      this.#logger,
      'warn',
      'over-cap',
      { remoteAddress: socket.remoteAddress, refused: this.#limits.refused },
      `refused a connection (503): ${this.#limits.describe(socket)}`,
    );
  }

  async #close(): Promise<void> {
    await this.#listening?.catch(() => undefined);
    const server = this.#server;
    if (server !== undefined && this.#onUpgrade !== undefined) server.off('upgrade', this.#onUpgrade);
    clearInterval(this.#upgradeSweep);
    this.#upgradeSweep = undefined;
    this.#upgrading.clear();
    await Promise.all([...this.#links].map((link) => link.close(CLOSE_GOING_AWAY, 'Listener closing')));
    this.#wss?.close();
    if (server !== undefined && this.#ownsServer) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.#logger.debug('WebSocket listener closed');
  }

  #onSocket(ws: NodeWebSocket, request: IncomingMessage, route: AttachRoute, token: string | undefined, host: ListenerHost): void {
    const connector = new WebSocketConnector(ws, {
      highWaterMark: this.#options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
      ...(this.#options.idleTimeoutMs !== undefined && { idleTimeoutMs: this.#options.idleTimeoutMs }),
      logger: this.#logger,
      peerSocket: request.socket,
      stream: request.socket,
      onClosed: this.#forget,
    });
    this.#links.add(connector);
    const log = new LinkLog(this.#logger, this.#limiter, connector, request.url);

    if (!route.ok) {
      log.info(`refusing attach: ${route.reason}`);
      void connector.close(CLOSE_POLICY, route.reason);
      return;
    }
    if (route.systemId === host.systemId) {
      log.info('refusing attach: self attachment');
      void connector.close(CLOSE_POLICY, 'Self attachment not allowed');
      return;
    }
    if (!host.isReady()) {
      log.warn('refusing attach: node not ready');
      void connector.close(CLOSE_INTERNAL, 'Node not ready');
      return;
    }
    let authorizer = this.authorizer;
    if (route.originType === 'peer') {
      if (this.peerAuthorizer !== undefined) authorizer = this.peerAuthorizer;
      else if (authorizer !== undefined) {
        this.#counts.peersRefused += 1;
        log.warn('refusing a peer link: this listener admits no peers (no peer authorizer)');
        refuseLink(connector, PEER_NOT_AUTHORIZED, CLOSE_POLICY, PEER_NOT_AUTHORIZED);
        return;
      }
    }
    if (authorizer === undefined) {
      this.#accept(host, connector, route, undefined, log);
      return;
    }
    const address = request.socket.remoteAddress ?? '';
    authorizer.authenticate(token === undefined ? undefined : `Bearer ${token}`).then(
      (context) => {
        if (context === undefined || !context.authenticated) {
          this.#counts.authFailures += 1;
          this.#throttle.failed(address);
          log.warn('WebSocket authentication failed', { tokenPresented: token !== undefined, authFailures: this.#counts.authFailures });
          refuseLink(connector, 'Authentication failed', CLOSE_POLICY, 'Authentication failed');
        } else {
          this.#throttle.succeeded(address);
          this.#accept(host, connector, route, context, log);
        }
      },
      (error: unknown) => {
        log.error(error, 'authorizer failed');
        refuseLink(connector, `Unhandled error: ${clipText(errorMessage(error), 200)}`, CLOSE_INTERNAL, 'Internal error');
      },
    );
  }

  #accept(
    host: ListenerHost,
    connector: WebSocketConnector,
    route: AttachRoute & { ok: true },
    authorization: AuthorizationContext | undefined,
    log: LinkLog,
  ): void {
    // The peer may have left, or the listener closed, while it was being authenticated.
    if (connector.state !== 'open' || this.#closing !== undefined) return;
    try {
      host.accept({
        connector,
        originType: route.originType,
        systemId: route.systemId,
        ...(authorization !== undefined && { authorization }),
      });
    } catch (error) {
      log.error(error, 'host refused the link');
      void connector.close(CLOSE_INTERNAL, 'Internal error');
    }
  }
}
