// The `node:http` server of an HTTP listener (or of several listeners on one port): the edge
// limits that belong to TCP connections and the HTTP parser, applied before any route runs.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  ConnectionLimits,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  LogLimiter,
  NOOP_LOGGER,
  OVER_CAP_RESPONSE,
  type Logger,
} from '@naylence/core';

/** Default of `headersTimeoutMs`: as long as a WebSocket upgrade may take. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 5_000;
/** Default of `receiveTimeoutMs`: a whole request (one envelope of at most 256 KiB) must arrive within this. */
export const DEFAULT_RECEIVE_TIMEOUT_MS = 10_000;
/** Default of `keepAliveTimeoutMs` (Node's own default). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Limits of a server that serves HTTP ingress routes (its own, or one shared with a WebSocket listener). */
export interface HttpServerLimits {
  /** TCP connections open at once; more are answered `503` and closed. Default 10 000. */
  readonly maxConnections?: number;
  /** The same cap per remote address (IP). Default 2 000. Raise it behind a proxy that connects from one address. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * A request's headers must arrive within this, counted from the connection or the end of
   * the previous request: a socket that never speaks, or drips its headers, gets `408` and is
   * closed (Node's `headersTimeout`). On a shared server this also bounds the WebSocket
   * upgrade request. Default 5 000 ms; 0 disables.
   */
  readonly headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this, else `408` and closed (Node's `requestTimeout`). Default 10 000 ms; 0 disables. */
  readonly receiveTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (Node's `keepAliveTimeout`). Default 5 000 ms. */
  readonly keepAliveTimeoutMs?: number;
}

/** A server built by {@link createEdgeServer}, with its connection caps (for stats). */
export interface EdgeServer {
  readonly server: Server;
  readonly limits: ConnectionLimits;
}

/**
 * A `node:http` server with the edge limits of `options` (see {@link guardServer}), checked
 * often enough that a short timeout is honoured.
 */
export function createEdgeServer(options: GuardOptions, onRequest: RequestListener): EdgeServer {
  const { headers, receive } = timeouts(options);
  const shortest = Math.min(...[headers, receive].filter((ms) => ms > 0), 30_000);
  const server = createServer(
    { connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(shortest / 4))) },
    (request, response) => {
      // A connection refused over a cap may still have sent a request: leave it unanswered.
      if (request.socket.writable) onRequest(request, response);
      else request.socket.destroy();
    },
  );
  return { server, limits: guardServer(server, options) };
}

/** Options of {@link guardServer}: the limits, and where refusals are logged. */
export type GuardOptions = HttpServerLimits & { readonly logger?: Logger | (() => Logger) | undefined };

/**
 * Applies the edge limits of `options` to an existing server (one the HTTP ingress is served
 * on): connection caps (503 past them, like the WebSocket listener's) and Node's headers,
 * request and keep-alive timeouts. Node checks those timeouts every `connectionsCheckingInterval`
 * (fixed when the server is created; 30 s by default). Refusals are logged at most a few times
 * per period. Returns the caps' bookkeeping.
 */
export function guardServer(server: Server, options: GuardOptions): ConnectionLimits {
  const { headers, receive } = timeouts(options);
  server.requestTimeout = receive;
  server.headersTimeout = headers;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  const limits = new ConnectionLimits(
    options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  );
  const logger = options.logger ?? NOOP_LOGGER;
  const log = (): Logger => (typeof logger === 'function' ? logger() : logger);
  const limiter = new LogLimiter();
  server.on('connection', (socket: Socket) => {
    if (limits.admit(socket)) return;
    limiter.log(
      log(),
      'warn',
      'over-cap',
      { remoteAddress: socket.remoteAddress, refused: limits.refused },
      `refused a connection (503): ${limits.describe(socket)}`,
    );
    socket.on('error', () => {}); // the peer may still write, or reset
    socket.end(OVER_CAP_RESPONSE);
  });
  return limits;
}

/** The headers and request timeouts of `options` (Node wants headers ≤ request; 0 disables either). */
function timeouts(options: HttpServerLimits): { headers: number; receive: number } {
  const receive = options.receiveTimeoutMs ?? DEFAULT_RECEIVE_TIMEOUT_MS;
  let headers = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  if (receive > 0 && (headers === 0 || headers > receive)) headers = receive;
  return { headers, receive };
}
