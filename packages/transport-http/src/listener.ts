import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  DEFAULT_MAX_ENVELOPE_BYTES,
  FameError,
  NOOP_LOGGER,
  type Authorizer,
  type ListenerAddress,
  type ListenerHost,
  type Logger,
  type TokenProvider,
  type TransportListener,
} from '@naylence/core';
import type { HttpConnector, HttpLinkOptions } from './connector.js';
import { createEdgeServer, type HttpServerLimits } from './edge-server.js';
import type { GrantAuth } from './grants.js';
import { CLOSE_GOING_AWAY } from './http-status.js';
import { Ingress, type IngressRequest } from './ingress.js';
import type { IngressLimits, IngressStats } from './ingress-guard.js';
import { normalizePublicUrl, publicUrlFromEnv, urlHost } from './public-url.js';
import { RESPONSES, type IngressResponse } from './responses.js';
import { DOWNSTREAM_PATH, isIngressPath, LINK_HEADER, requestPath, SEQ_HEADER, UPSTREAM_PATH } from './route.js';

/**
 * Options of an {@link HttpListener}. The edge limits: `maxConnections` and
 * `maxConnectionsPerAddress` cap TCP connections on a server of the listener's own (503) and,
 * separately, the HTTP links of children (a NodeAttach past them gets 503); `maxPendingLinks`
 * and `pendingLinkTimeoutMs` bound attaches in progress; `authFailureMaxDelayMs` slows down
 * addresses that fail authentication (429 past it); `headersTimeoutMs`, `receiveTimeoutMs` and
 * `keepAliveTimeoutMs` bound slow or idle connections of a server of its own (a mounted
 * listener leaves them to its server: see `sharedServer`); `maxBodyBytes` bounds a request
 * body (413).
 */
export interface HttpListenerOptions extends HttpLinkOptions, IngressLimits, HttpServerLimits {
  /** Interface to bind (standalone). Default `127.0.0.1`; `0.0.0.0` opens the listener to the network. */
  readonly host?: string;
  /** Port to bind (standalone); 0 picks an ephemeral port. Default 0. */
  readonly port?: number;
  /**
   * An existing HTTP(S) server to mount on instead of creating one (e.g. the one a
   * `WebSocketListener` is mounted on, so both share a port). The listener then adds no
   * request handler: the server's handler calls {@link HttpListener.handleRequest}. If the
   * server is not listening yet, `start()` starts it on `host`/`port`. `close()` never closes
   * a mounted server.
   */
  readonly server?: Server;
  /** Authenticates every POST of a child or peer (`Authorization` header, admission-and-http §4); absent = open. */
  readonly authorizer?: Authorizer;
  /**
   * Base URL this node is reachable at from its parent, for the callback grant of our HTTP
   * dialers (`{publicUrl}/fame/v1/ingress/upstream`). Default: `FAME_PUBLIC_URL`, else
   * `http://{bound host}:{port}`.
   */
  readonly publicUrl?: string;
  /** Largest request body (one envelope); a larger one is answered `413` and its connection closed. Default 256 KiB, the envelope limit. */
  readonly maxBodyBytes?: number;
  /**
   * Token providers for callback grant auth this package does not understand itself (it
   * understands `NoAuth` and `BearerTokenHeaderAuth` with a `StaticTokenProvider`). An attach
   * whose callback auth nobody understands is refused.
   */
  readonly resolveCallbackAuth?: (auth: GrantAuth) => TokenProvider | undefined;
  /** Vets the callback URL a child asks us to POST to (e.g. allow-list hosts). Default: any `http:`/`https:` URL. */
  readonly allowCallbackUrl?: (url: URL) => boolean;
  /** Default: the host's logger (or none, for a listener that only serves dialers). */
  readonly logger?: Logger;
}

/** Loopback unless told otherwise, as `WebSocketListener` and Fastify's `listen` do. */
const DEFAULT_HOST = '127.0.0.1';

/** How much more than the envelope limit a body may be before it is cut off (413) unread. */
const BODY_SLACK = 1024;

/**
 * The HTTP ingress of a node (protocol-core §4.9): a core `TransportListener` for children
 * and peers that attach over HTTP (`POST /fame/v1/ingress/{downstream|peer}/{systemId}`), the
 * callback endpoint of our own {@link HttpDialer}s (`POST /fame/v1/ingress/upstream`), and
 * `GET /fame/v1/ingress/health`. Standalone (`node:http`), mounted on an existing server, or
 * behind the Fastify `ingress` plugin of `@naylence/fastify-plugins` ({@link handleIngress}).
 *
 * A child's NodeAttach must carry an `HttpConnectionGrant` callback grant; the listener then
 * hands the node one connector per child that pairs the child's POSTs with POSTs to that
 * grant's URL, authenticated as the grant's `auth` says.
 */
export class HttpListener implements TransportListener, AsyncDisposable {
  readonly transport = 'http';
  readonly authorizer?: Authorizer;

  readonly #options: HttpListenerOptions;
  readonly #maxBodyBytes: number;
  readonly #configuredPublicUrl: string | undefined;
  #logger: Logger;
  readonly #ingress: Ingress;
  #server: Server | undefined;
  #ownsServer = false;
  #serverLimits: { readonly total: number; readonly refused: number } | undefined;
  #starting: Promise<ListenerAddress> | undefined;
  #address: ListenerAddress | undefined;
  #hosted = false;
  #closing: Promise<void> | undefined;

  /** @throws ConfigError when `publicUrl` (or `FAME_PUBLIC_URL`) is not an http(s) URL */
  constructor(options: HttpListenerOptions = {}) {
    this.#options = options;
    if (options.authorizer !== undefined) this.authorizer = options.authorizer;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
    this.#configuredPublicUrl = options.publicUrl !== undefined ? normalizePublicUrl(options.publicUrl) : publicUrlFromEnv();
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ transport: 'http', listener: 'HttpListener' });
    this.#ingress = new Ingress({ ...options, maxBodyBytes: this.#maxBodyBytes, logger: this.#logger });
  }

  /**
   * What the listener refused or cut off so far (counters only grow), and what is open now:
   * `connections` and `refusedOverCap` count TCP connections of a server of its own (0 when mounted).
   */
  get stats(): IngressStats & { readonly connections: number; readonly refusedOverCap: number } {
    return { ...this.#ingress.stats, connections: this.#serverLimits?.total ?? 0, refusedOverCap: this.#serverLimits?.refused ?? 0 };
  }

  /** Links open through this listener (children, and upstream links of dialers using it). */
  get activeConnections(): number {
    return this.#ingress.linkCount;
  }

  /** Where this node's HTTP routes are reachable from outside, after `start()`: the public URL or the bound address. */
  get publicUrl(): string {
    if (this.#configuredPublicUrl !== undefined) return this.#configuredPublicUrl;
    const address = this.#address;
    if (address === undefined) throw new ConfigError('HTTP listener has not started: no public URL yet');
    return `http://${urlHost(address.host)}:${address.port}`;
  }

  /** The URL a parent POSTs our envelopes to (`{publicUrl}/fame/v1/ingress/upstream`), after `start()`. */
  get callbackUrl(): string {
    return `${this.publicUrl}${UPSTREAM_PATH}`;
  }

  /**
   * Binds (or waits for the mounted server) and serves the routes; child routes answer 503
   * until {@link listen} gives the listener a node. Dialers call this; idempotent.
   * @throws FameError `INVALID_CONFIG` when the port cannot be bound
   */
  start(): Promise<ListenerAddress> {
    if (this.#closing !== undefined) return Promise.reject(new ConfigError('HTTP listener is closed'));
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /**
   * Starts accepting children and peers for `host` (a sentinel). Call once.
   * @returns where children attach: `url` is `http://{host}:{port}/fame/v1/ingress/downstream`
   */
  async listen(host: ListenerHost): Promise<ListenerAddress> {
    if (this.#hosted) throw new ConfigError('HTTP listener is already listening');
    this.#hosted = true;
    if (this.#options.logger === undefined) {
      this.#logger = host.logger.child({ transport: 'http', listener: 'HttpListener' });
      this.#ingress.logger = this.#logger;
    }
    const address = await this.start();
    this.#ingress.host = host;
    if (this.authorizer === undefined) this.#logger.warn('HTTP listener has no authorizer: children are not authenticated');
    this.#logger.info({ url: address.url }, 'HTTP listener ready');
    return address;
  }

  /**
   * Answers a request under `/fame/v1/ingress` and returns true; returns false, without
   * touching the response, for any other path. For servers this listener is mounted on.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    const path = requestPath(request.url);
    if (!isIngressPath(path)) return false;
    void this.#serve(request, response, path);
    return true;
  }

  /** The framework-neutral core every adapter calls: one request in, status and JSON body out. Never throws. */
  handleIngress(request: IngressRequest): Promise<IngressResponse> {
    return this.#ingress.handle(request);
  }

  /** @internal Used by `HttpDialer`: routes the parent's callbacks for `connector` to it. */
  registerUpstream(connector: HttpConnector, authorizer: Authorizer | undefined): () => void {
    return this.#ingress.registerUpstream(connector, authorizer);
  }

  /** Stops serving, closes every link with 1001 and, if it created it, the server. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #start(): Promise<ListenerAddress> {
    let server = this.#options.server;
    if (server === undefined) {
      const edge = createEdgeServer({ ...this.#options, logger: () => this.#logger }, (request, response) => {
        if (!this.handleRequest(request, response)) writeResponse(response, RESPONSES.notFound, request.method);
      });
      server = edge.server;
      this.#serverLimits = edge.limits;
      this.#ownsServer = true;
    }
    this.#server = server;
    if (!server.listening) await startServer(server, this.#options.port ?? 0, this.#options.host ?? DEFAULT_HOST);
    const bound = server.address() as AddressInfo;
    this.#address = {
      host: bound.address,
      port: bound.port,
      url: `http://${urlHost(bound.address)}:${bound.port}${DOWNSTREAM_PATH}`,
    };
    if (this.#configuredPublicUrl === undefined && (bound.address === '0.0.0.0' || bound.address === '::')) {
      this.#logger.debug({ callbackUrl: this.callbackUrl }, 'no public URL (FAME_PUBLIC_URL): callbacks go to the loopback address');
    }
    return this.#address;
  }

  async #close(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    await this.#ingress.close(CLOSE_GOING_AWAY, 'Listener closing');
    const server = this.#server;
    if (server !== undefined && this.#ownsServer) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.#logger.debug('HTTP listener closed');
  }

  async #serve(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    try {
      await this.#answer(request, response, path);
    } catch (error) {
      // Only a broken socket gets here (the ingress never throws): drop it.
      this.#logger.debug({ err: error }, 'HTTP ingress response failed');
      response.destroy();
    }
  }

  async #answer(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const method = request.method ?? 'GET';
    let body: Uint8Array | undefined;
    if (method === 'POST' || method === 'DELETE') {
      body = await readBody(request, this.#maxBodyBytes + BODY_SLACK);
      if (body === undefined) {
        // Too large: answer now and drop the connection rather than read the rest.
        response.shouldKeepAlive = false;
        writeResponse(response, RESPONSES.tooLarge, method);
        return;
      }
    }
    const headers = request.headers;
    const result = await this.#ingress.handle({
      method,
      path,
      authorization: headers.authorization,
      linkId: headerValue(headers[LINK_HEADER]),
      seq: headerValue(headers[SEQ_HEADER]),
      body,
      remoteAddress: request.socket.remoteAddress,
    });
    if (result.status !== 202) {
      writeResponse(response, result, method);
      return;
    }
    // An accepted message has been handed to the node, which may have forwarded it already: a
    // POST on another link, which undici writes on an idle keep-alive connection only in the
    // check phase (setImmediate, after checking the socket). Answering in the check phase too,
    // after that write, keeps our 202 (a write that wakes the sender) off the forwarded
    // message's path. The sender waits one event-loop turn longer for its 202, nothing more.
    setImmediate(answerLater, response, result, method, this.#logger);
  }
}

function answerLater(response: ServerResponse, result: IngressResponse, method: string, logger: Logger): void {
  try {
    writeResponse(response, result, method);
  } catch (error) {
    logger.debug({ err: error }, 'HTTP ingress response failed');
    response.destroy();
  }
}

/** Reads a request body of at most `limit` bytes; undefined when it is larger. */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Uint8Array | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        finish(undefined);
      } else chunks.push(chunk);
    });
    request.once('end', () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    request.once('error', () => finish(new Uint8Array(0)));
  });
}

/** The response headers of each answer, built once (Node only reads the object it is given). */
const responseHeaders = new WeakMap<IngressResponse, OutgoingHttpHeaders>();

function writeResponse(response: ServerResponse, result: IngressResponse, method: string | undefined): void {
  if (response.headersSent) return;
  let headers = responseHeaders.get(result);
  if (headers === undefined) {
    headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(result.body), ...result.headers };
    responseHeaders.set(result, headers);
  }
  response.writeHead(result.status, headers);
  response.end(method === 'HEAD' ? undefined : result.body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Starts `server`; if a listen is already under way (a second listener mounted on it), waits for it. */
function startServer(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(new FameError('INVALID_CONFIG', `HTTP listener cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen(port, host);
    } catch (error) {
      // ERR_SERVER_ALREADY_LISTEN: another listener started it; 'listening' follows.
      if ((error as { code?: string }).code !== 'ERR_SERVER_ALREADY_LISTEN') onError(error as Error);
    }
  });
}
