import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConfigError,
  FameError,
  LogLimiter,
  NOOP_LOGGER,
  clipText,
  createAttachRefusal,
  encodeEnvelope,
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
import {
  AuthThrottle,
  ConnectionLimits,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_UPGRADE_TIMEOUT_MS,
} from './edge-limits.js';
import { DEFLATE_OPTIONS, loadWs, type NodeWebSocket } from './platform/node.js';
import { HEALTH_PATH, isAttachPath, parseAttachRoute, readBearerOffer, requestPath, type AttachRoute } from './route.js';

/** The interface a standalone listener binds unless told otherwise: loopback only. */
export const DEFAULT_LISTENER_HOST = '127.0.0.1';

export interface WebSocketListenerOptions {
  /**
   * Interface to bind (standalone only). Default `127.0.0.1`: only this machine can attach until
   * you say otherwise (`0.0.0.0` for every interface), as Fastify's `listen` does.
   */
  readonly host?: string;
  /** Port to bind (standalone only); 0 picks an ephemeral port. Default 0. */
  readonly port?: number;
  /**
   * An existing HTTP(S) server to mount on instead of creating one. The listener then only
   * takes upgrade requests under `/fame/v1/attach/ws` and leaves every other request and
   * upgrade to the server; the embedding server answers health checks by calling
   * {@link WebSocketListener.handleRequest}. If the server is not listening yet, `listen()`
   * starts it on `host`/`port`. `close()` never closes a mounted server.
   */
  readonly server?: Server;
  /** Authenticates every link after the upgrade (admission-and-http §4); absent = open. */
  readonly authorizer?: Authorizer;
  /**
   * Authenticates `peer` links (`/fame/v1/attach/ws/peer/{id}`: sentinels that learn this one's
   * routes). Without it, a listener with an `authorizer` refuses every peer link (NodeAttachAck
   * `ok:false`, close 1008 `Peer attach not authorized`): a child's credential never admits a
   * peer. A listener with neither is open to both.
   */
  readonly peerAuthorizer?: Authorizer;
  /**
   * Connections open at once, at most: WebSocket links and, on a server of the listener's own,
   * every TCP connection (upgraded or not). More are answered `503` and closed. Default 10 000.
   */
  readonly maxConnections?: number;
  /** The same cap per remote address (IP). Default 2 000. Raise it behind a proxy that connects from one address. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * A connection to a server of the listener's own must complete the WebSocket upgrade within
   * this long: the idle timeout before the upgrade and the HTTP headers timeout (a socket that
   * never speaks, or drips its headers, is closed). Mounted servers keep their own timeouts.
   * Default 5 000 ms; 0 disables.
   */
  readonly upgradeTimeoutMs?: number;
  /**
   * Failed authentication slows down its remote address: its attempts are then spaced 100 ms
   * apart (their upgrade waits; parallel ones queue), doubling per failure within a minute, up
   * to this; an attempt that would wait longer is refused (429). A success clears the address.
   * 0 disables. Default 2 000 ms.
   */
  readonly authFailureMaxDelayMs?: number;
  /** Largest inbound message; a larger one closes the link with 1009. Default 1 MiB. */
  readonly maxPayload?: number;
  /** Outbound high-water mark of accepted connectors, in bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Close links that receive nothing for this long (code 1000, `idle timeout`); 0 disables. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Accept permessage-deflate offers (no context takeover, 1 KiB threshold). Default false. */
  readonly perMessageDeflate?: boolean;
  /** Default: the host's logger. */
  readonly logger?: Logger;
}

/** What the listener refused or cut off so far (counters only grow), and what is open now. */
export interface WebSocketListenerStats {
  readonly connections: number;
  /** Connections answered 503 because a connection cap was reached. */
  readonly refusedOverCap: number;
  /** Connections closed for not completing the upgrade in time. */
  readonly upgradeTimeouts: number;
  readonly authFailures: number;
  /** Authentication attempts delayed because their address failed before. */
  readonly delayedAuthAttempts: number;
  /** Attempts refused (429) because too many from their address already waited. */
  readonly throttledAuthAttempts: number;
  /** Peer links refused because the listener admits no peers. */
  readonly peersRefused: number;
}

/** Close reason (and NodeAttachAck reason) of a peer link on a listener that admits no peers. */
export const PEER_NOT_AUTHORIZED = 'Peer attach not authorized';

/** The health document, byte-compatible with the reference listener's. */
export interface WebSocketListenerHealth {
  readonly status: 'healthy';
  readonly active_connections: number;
  readonly listenerType: 'WebSocketListener';
  readonly listener_type: 'WebSocketListener';
}

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
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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

/**
 * Log lines about one connection: the listener's logger with the connection's fields on each
 * line. Lines a peer can cause at will are rate-limited per message (with a count of the
 * suppressed ones).
 */
class LinkLog {
  constructor(
    private readonly logger: Logger,
    private readonly limiter: LogLimiter,
    private readonly connector: WebSocketConnector,
    private readonly url: string | undefined,
  ) {}
  /** The connection's fields, computed only for a line that is written. */
  get fields(): Readonly<Record<string, unknown>> {
    return { connectorId: this.connector.id, path: clipText(requestPath(this.url)), remoteAddress: this.connector.info.remoteAddress };
  }
  info(message: string, extra: object = {}): void {
    this.limiter.log(this.logger, 'info', message, { ...this.fields, ...extra }, message);
  }
  warn(message: string, extra: object = {}): void {
    this.limiter.log(this.logger, 'warn', message, { ...this.fields, ...extra }, message);
  }
  error(error: unknown, message: string): void {
    this.limiter.log(this.logger, 'error', message, { ...this.fields, err: error }, message);
  }
}

/** Sends one NodeAttachAck `ok:false` (no corrId/refId; binary, camelCase) and closes the link. */
function refuseLink(connector: WebSocketConnector, ackReason: string, code: number, closeReason: string): void {
  if (connector.state !== 'open') return;
  connector.send(encodeEnvelope(createAttachRefusal(ackReason)));
  void connector.close(code, closeReason);
}

function refuseUpgrade(socket: Duplex, status: 404 | 429 | 503): void {
  const text = status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function startServer(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(new FameError('INVALID_CONFIG', `WebSocket listener cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Host part of a URL for a bound address: loopback for the unspecified addresses, brackets for IPv6. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
