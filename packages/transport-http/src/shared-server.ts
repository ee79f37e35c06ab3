import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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
 * @example
 * ```ts
 * const handlers: MountedRequestHandler[] = [];
 * const server = sharedServer(handlers);
 * await new Promise<void>((resolve) => server.listen(8000, '127.0.0.1', resolve)); // '0.0.0.0': every interface
 * const ws = new WebSocketListener({ server });
 * const http = new HttpListener({ server });
 * handlers.push(http, ws);
 * const fabric = await createFabric({ listeners: [ws, http] });
 * // stop: await fabric.stop(); then server.close()
 * ```
 */
export function sharedServer(handlers: readonly MountedRequestHandler[]): Server {
  return createServer((request, response) => {
    for (const handler of handlers) if (handler.handleRequest(request, response)) return;
    response.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"Not found"}');
  });
}
