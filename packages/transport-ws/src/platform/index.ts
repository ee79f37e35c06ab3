// The sockets of this platform: Node `ws` sockets, or a WHATWG `WebSocket` where there is one.
// The browser bundle (the package's `browser` export condition) is built with this module
// redirected to `./browser-only.js` (tools/scripts/bundle.mjs), so `ws` never reaches it.
import { BrowserSocketEdge, openBrowserSocket } from './browser.js';
import type { CorkableStream, EdgeEvents, SocketOpener, SocketEdge } from './edge.js';
import { isNodeWebSocket, loadWs, NodeSocketEdge, openNodeSocket, type NodeWebSocket } from './node.js';

/** A socket a connector can wrap on this platform. */
export type PlatformSocket = NodeWebSocket | WebSocket;

/** The edge of an open socket: `ws` (an EventEmitter) or a browser `WebSocket`. */
export function createSocketEdge(socket: PlatformSocket, events: EdgeEvents, stream?: CorkableStream): SocketEdge {
  return isNodeWebSocket(socket) ? new NodeSocketEdge(socket, events, stream) : new BrowserSocketEdge(socket, events);
}

/** How a dialer opens sockets here: `ws` on Node (loaded on first use), else the global `WebSocket`. */
export async function socketOpener(): Promise<SocketOpener<PlatformSocket>> {
  if (typeof process === 'object' && typeof process.versions?.node === 'string') {
    const ws = await loadWs();
    return { headers: true, open: (request, callbacks) => openNodeSocket(ws, request, callbacks) };
  }
  return { headers: false, open: openBrowserSocket };
}
