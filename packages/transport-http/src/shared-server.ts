import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createEdgeServer, type GuardOptions } from './edge-server.js';

/** A listener mounted on a shared server: answers the requests under its routes, returns false for others. */
export interface MountedRequestHandler {
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * A `node:http` server for several listeners on one port (e.g. a `WebSocketListener` and an
 * {@link HttpListener}, both created with `server`): each request goes to the first handler
 * that takes it, anything else gets `404`. Upgrades are left to the listeners (a mounted
 * `WebSocketListener` takes its own). Start it listening before the listeners start, so that
 * neither of them tries to.
 *
 * The server enforces the edge limits of `limits` on every TCP connection, whichever listener
 * it ends up with: connection caps (503), headers, request and keep-alive timeouts
 * (see `HttpServerLimits`; the defaults apply when absent). Mounted listeners leave a
 * server's connections to it, so pass the limits here. Give the listeners one `AuthThrottle`
 * (their `authThrottle` option) so that an address has one budget of failed authentication on
 * the port, whichever transport it tries.
 *
 * @example
 * ```ts
 * const handlers: MountedRequestHandler[] = [];
 * const server = sharedServer(handlers, { maxConnections: 5_000 });
 * await new Promise<void>((resolve) => server.listen(8000, '127.0.0.1', resolve)); // '0.0.0.0': every interface
 * const ws = new WebSocketListener({ server });
 * const http = new HttpListener({ server });
 * handlers.push(http, ws);
 * const fabric = await createFabric({ listeners: [ws, http] });
 * // stop: await fabric.stop(); then server.close()
 * ```
 */
export function sharedServer(handlers: readonly MountedRequestHandler[], limits: GuardOptions = {}): Server {
  return createEdgeServer(limits, (request, response) => {
    for (const handler of handlers) if (handler.handleRequest(request, response)) return;
    response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"Not found"}');
  }).server;
}
