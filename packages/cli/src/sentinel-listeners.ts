/**
 * The listeners of a sentinel: WebSocket, and with `http` the HTTP ingress on the same port (one
 * `node:http` server for both, `sharedServer` of `@naylence/transport-http`), as the reference's
 * sentinel serves both on `FAME_LISTENER_PORT`. The two share one failed-authentication throttle.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  AuthThrottle,
  ConfigError,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  type Authorizer,
  type Logger,
  type TransportListener,
} from '@naylence/core';
import {
  HttpListener,
  sharedServer,
  type HttpListenerOptions,
  type HttpServerLimits,
  type MountedRequestHandler,
} from '@naylence/transport-http';
import { WebSocketListener, type WebSocketListenerOptions } from '@naylence/transport-ws';

/** HTTP ingress settings (`naylence sentinel --http`); `true` = the defaults. */
export type SentinelHttpOptions =
  boolean | Omit<HttpListenerOptions, 'server' | 'authorizer' | 'host' | 'port' | 'logger' | 'authThrottle'>;

export interface SentinelListenerOptions {
  readonly host: string;
  readonly port: number;
  /** A server of the caller's to mount the WebSocket listener on (not with `http`). */
  readonly server?: Server;
  /** Authenticates children on both transports. */
  readonly authorizer?: Authorizer;
  readonly websocket?: Omit<WebSocketListenerOptions, 'host' | 'port' | 'authorizer' | 'server' | 'logger' | 'authThrottle'>;
  readonly http?: SentinelHttpOptions;
  /** Edge limits of the shared server (with `http`): connection caps and timeouts of every TCP connection. */
  readonly serverLimits?: HttpServerLimits;
  readonly logger?: Logger;
}

export interface SentinelListeners {
  readonly listeners: readonly TransportListener[];
  readonly websocket: WebSocketListener;
  readonly http?: HttpListener;
  /** Closes the shared server once the fabric has closed the listeners. */
  close(): Promise<void>;
}

/**
 * Builds the listeners; with `http`, binds the shared server now (so a port in use fails here,
 * as a ConfigError naming it).
 * @throws ConfigError when `http` is combined with a caller's `server`, or the port cannot be bound
 */
export async function sentinelListeners(options: SentinelListenerOptions): Promise<SentinelListeners> {
  const auth = options.authorizer === undefined ? {} : { authorizer: options.authorizer };
  if (options.http === undefined || options.http === false) {
    const websocket = new WebSocketListener({
      ...options.websocket,
      host: options.host,
      port: options.port,
      ...(options.server !== undefined && { server: options.server }),
      ...auth,
    });
    return { listeners: [websocket], websocket, close: () => Promise.resolve() };
  }
  if (options.server !== undefined) throw new ConfigError('the HTTP ingress brings its own server: do not pass `server` with `http`');
  const handlers: MountedRequestHandler[] = [];
  const server = sharedServer(handlers, { ...options.serverLimits, ...(options.logger !== undefined && { logger: options.logger }) });
  await listen(server, options.port, options.host);
  const httpOptions = options.http === true ? {} : options.http;
  // One failed-authentication table for the port: failures over either transport slow down
  // the address on both (two tables would give an attacker who alternates two budgets).
  const authThrottle = new AuthThrottle(
    options.websocket?.authFailureMaxDelayMs ?? httpOptions.authFailureMaxDelayMs ?? DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  );
  const websocket = new WebSocketListener({ ...options.websocket, server, authThrottle, ...auth });
  const http = new HttpListener({ ...httpOptions, server, authThrottle, ...auth });
  handlers.push(http, websocket);
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { listeners: [websocket, http], websocket, http, close };
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening'); // rejects with the server's 'error' (EADDRINUSE, EACCES, …)
  } catch (error) {
    throw new ConfigError(`cannot listen on ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}
