import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConfigError,
  NOOP_LOGGER,
  clipText,
  type AuthorizationContext,
  type IncomingConnection,
  type Authorizer,
  type ListenerAddress,
  type ListenerHost,
  type Logger,
  type TransportListener,
} from '@naylence/core';
import type { WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, CLOSE_INTERNAL, CLOSE_POLICY } from './close-codes.js';
import { DEFAULT_HIGH_WATER_MARK, DEFAULT_IDLE_TIMEOUT_MS, WebSocketConnector } from './connector.js';
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
import { ListenerEdge, REFUSE } from './listener-edge.js';
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
  readonly #edge: ListenerEdge;
  readonly #highWaterMark: number;
  readonly #idleTimeoutMs: number;
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
    this.#edge = new ListenerEdge(options, () => this.#logger);
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  /** What the listener refused or cut off so far, and the connections open now. */
  get stats(): WebSocketListenerStats {
    return this.#edge.stats;
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
      // The edge's sweep closes a connection that has not upgraded by its deadline, without a word.
      // Node's own timeouts are only a backstop, set later: at the same deadline its checker could
      // win the race on a busy loop and answer `408` first.
      const backstopMs = 2 * timeoutMs;
      server = http.createServer(
        timeoutMs > 0
          ? { headersTimeout: backstopMs, requestTimeout: backstopMs, connectionsCheckingInterval: Math.min(1_000, timeoutMs) }
          : {},
        onRequest,
      );
      server.on('connection', (socket: Socket) => this.#edge.connected(socket, timeoutMs));
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
    const edge = this.#edge;
    edge.upgrading(socket as Socket);
    const host = this.#host;
    const wss = this.#wss;
    if (host === undefined || wss === undefined || this.#closing !== undefined) {
      refuseUpgrade(socket, 503);
      return true;
    }
    if (!edge.admit(request.socket)) {
      refuseUpgrade(socket, 503);
      return true;
    }
    const route = parseAttachRoute(path);
    const protocols = request.headers['sec-websocket-protocol'];
    const authorization = request.headers.authorization;
    let token: string | undefined;
    if (protocols !== undefined || authorization !== undefined) {
      const offer = readBearerOffer(headerValue(protocols), authorization);
      token = offer.token;
      // The token is no subprotocol to negotiate: leave `ws` only the `bearer` entry to select
      // (a `bearer <token>` entry would not even parse as a subprotocol).
      if (offer.protocol !== undefined) request.headers['sec-websocket-protocol'] = offer.protocol;
    }
    const upgrade = (): void => wss.handleUpgrade(request, socket, head, (ws) => this.#onSocket(ws, request, route, token, host));
    // An address whose authentication failed recently waits before its upgrade completes (so
    // before its credentials are checked): guessing tokens gets slow, and the peer sees nothing
    // different from a slow server.
    const delayMs =
      this.authorizer !== undefined || this.peerAuthorizer !== undefined ? edge.authDelay(request.socket.remoteAddress ?? '') : 0;
    if (delayMs === 0) upgrade();
    else if (delayMs === REFUSE) refuseUpgrade(socket, 429);
    else {
      if (typeof (socket as Partial<Socket>).setTimeout === 'function') (socket as Socket).setTimeout(0);
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

  async #close(): Promise<void> {
    await this.#listening?.catch(() => undefined);
    const server = this.#server;
    if (server !== undefined && this.#onUpgrade !== undefined) server.off('upgrade', this.#onUpgrade);
    this.#edge.stop();
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
      highWaterMark: this.#highWaterMark,
      idleTimeoutMs: this.#idleTimeoutMs,
      logger: this.#logger,
      peerSocket: request.socket,
      stream: request.socket,
      onClosed: this.#forget,
    });
    this.#links.add(connector);

    if (!route.ok) {
      this.#linkLog(connector, request).info(`refusing attach: ${route.reason}`);
      void connector.close(CLOSE_POLICY, route.reason);
      return;
    }
    if (route.systemId === host.systemId) {
      this.#linkLog(connector, request).info('refusing attach: self attachment');
      void connector.close(CLOSE_POLICY, 'Self attachment not allowed');
      return;
    }
    if (!host.isReady()) {
      this.#linkLog(connector, request).warn('refusing attach: node not ready');
      void connector.close(CLOSE_INTERNAL, 'Node not ready');
      return;
    }
    let authorizer = this.authorizer;
    if (route.originType === 'peer') {
      if (this.peerAuthorizer !== undefined) authorizer = this.peerAuthorizer;
      else if (authorizer !== undefined) {
        this.#edge.counts.peersRefused += 1;
        this.#linkLog(connector, request).warn('refusing a peer link: this listener admits no peers (no peer authorizer)');
        refuseLink(connector, PEER_NOT_AUTHORIZED, CLOSE_POLICY, PEER_NOT_AUTHORIZED);
        return;
      }
    }
    if (authorizer === undefined) {
      this.#accept(host, connector, request, route, undefined);
      return;
    }
    const address = request.socket.remoteAddress ?? '';
    authorizer.authenticate(token === undefined ? undefined : `Bearer ${token}`).then(
      (context) => {
        if (context === undefined || !context.authenticated) {
          const authFailures = this.#edge.authFailed(address);
          this.#linkLog(connector, request).warn('WebSocket authentication failed', { tokenPresented: token !== undefined, authFailures });
          refuseLink(connector, 'Authentication failed', CLOSE_POLICY, 'Authentication failed');
        } else {
          this.#edge.authSucceeded(address);
          this.#accept(host, connector, request, route, context);
        }
      },
      (error: unknown) => {
        this.#linkLog(connector, request).error(error, 'authorizer failed');
        refuseLink(connector, `Unhandled error: ${clipText(errorMessage(error), 200)}`, CLOSE_INTERNAL, 'Internal error');
      },
    );
  }

  /** Log lines about one link (made only for a line to write). */
  #linkLog(connector: WebSocketConnector, request: IncomingMessage): LinkLog {
    return new LinkLog(this.#logger, this.#edge.limiter, connector, request.url);
  }

  #accept(
    host: ListenerHost,
    connector: WebSocketConnector,
    request: IncomingMessage,
    route: AttachRoute & { ok: true },
    authorization: AuthorizationContext | undefined,
  ): void {
    // The peer may have left, or the listener closed, while it was being authenticated.
    if (connector.state !== 'open' || this.#closing !== undefined) return;
    const connection: { -readonly [K in keyof IncomingConnection]: IncomingConnection[K] } = {
      connector,
      originType: route.originType,
      systemId: route.systemId,
    };
    if (authorization !== undefined) connection.authorization = authorization;
    try {
      host.accept(connection);
    } catch (error) {
      this.#linkLog(connector, request).error(error, 'host refused the link');
      void connector.close(CLOSE_INTERNAL, 'Internal error');
    }
  }
}
