import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConfigError,
  FameError,
  NOOP_LOGGER,
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
import { DEFLATE_OPTIONS, loadWs, socketAddresses, type NodeWebSocket } from './platform/node.js';
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
 */
export class WebSocketListener implements TransportListener, AsyncDisposable {
  readonly transport = 'websocket';
  readonly authorizer?: Authorizer;

  readonly #options: WebSocketListenerOptions;
  readonly #links = new Set<WebSocketConnector>();
  readonly #authFailureLog = { last: -Infinity, suppressed: 0 };
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
    this.#logger = options.logger ?? NOOP_LOGGER;
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
      server = http.createServer(onRequest);
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
    const host = this.#host;
    const wss = this.#wss;
    if (host === undefined || wss === undefined || this.#closing !== undefined) {
      refuseUpgrade(socket, 503);
      return true;
    }
    const route = parseAttachRoute(path);
    const offer = readBearerOffer(headerValue(request.headers['sec-websocket-protocol']), request.headers.authorization);
    // The token is no subprotocol to negotiate: leave `ws` only the `bearer` entry to select
    // (a `bearer <token>` entry would not even parse as a subprotocol).
    if (offer.protocol !== undefined) request.headers['sec-websocket-protocol'] = offer.protocol;
    wss.handleUpgrade(request, socket, head, (ws) => this.#onSocket(ws, request, route, offer.token, host));
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
      ...socketAddresses(request.socket),
      stream: request.socket,
    });
    this.#links.add(connector);
    void connector.whenClosed().then(() => this.#links.delete(connector));
    const log = new LinkLog(this.#logger, {
      connectorId: connector.id,
      path: requestPath(request.url),
      remoteAddress: connector.info.remoteAddress,
    });

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
    const authorizer = this.authorizer;
    if (authorizer === undefined) {
      this.#accept(host, connector, route, undefined, log);
      return;
    }
    authorizer.authenticate(token === undefined ? undefined : `Bearer ${token}`).then(
      (context) => {
        if (context === undefined || !context.authenticated) {
          // A peer can retry with a bad token in a loop: one line a second, with the count it stood for.
          const now = Date.now();
          if (now - this.#authFailureLog.last >= 1_000) {
            const suppressed = this.#authFailureLog.suppressed;
            log.warn('WebSocket authentication failed', { tokenPresented: token !== undefined, ...(suppressed > 0 && { suppressed }) });
            this.#authFailureLog.last = now;
            this.#authFailureLog.suppressed = 0;
          } else this.#authFailureLog.suppressed++;
          refuseLink(connector, 'Authentication failed', CLOSE_POLICY, 'Authentication failed');
        } else {
          this.#accept(host, connector, route, context, log);
        }
      },
      (error: unknown) => {
        log.error(error, 'authorizer failed');
        refuseLink(connector, `Unhandled error: ${errorMessage(error)}`, CLOSE_INTERNAL, 'Internal error');
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
      log.debug({ originType: route.originType, systemId: route.systemId }, 'WebSocket link accepted');
    } catch (error) {
      log.error(error, 'host refused the link');
      void connector.close(CLOSE_INTERNAL, 'Internal error');
    }
  }
}

/** Log lines about one connection: the listener's logger with the connection's fields on each line. */
class LinkLog {
  constructor(
    private readonly logger: Logger,
    private readonly fields: Readonly<Record<string, unknown>>,
  ) {}
  debug(extra: object, message: string): void {
    this.logger.debug({ ...this.fields, ...extra }, message);
  }
  info(message: string): void {
    this.logger.info(this.fields, message);
  }
  warn(message: string, extra: object = {}): void {
    this.logger.warn({ ...this.fields, ...extra }, message);
  }
  error(error: unknown, message: string): void {
    this.logger.error({ ...this.fields, err: error }, message);
  }
}

/** Sends one NodeAttachAck `ok:false` (no corrId/refId; binary, camelCase) and closes the link. */
function refuseLink(connector: WebSocketConnector, ackReason: string, code: number, closeReason: string): void {
  if (connector.state !== 'open') return;
  connector.send(encodeEnvelope(createAttachRefusal(ackReason)));
  void connector.close(code, closeReason);
}

function refuseUpgrade(socket: Duplex, status: 404 | 503): void {
  const text = status === 404 ? 'Not Found' : 'Service Unavailable';
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
