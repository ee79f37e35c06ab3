// The browser twin of `./index.ts`: only the WHATWG `WebSocket`. The package's browser bundle
// uses this module in place of `./index.js`, so neither `ws` nor a Node built-in is reachable.
import { BrowserSocketEdge, openBrowserSocket } from './browser.js';
import type { EdgeEvents, SocketEdge, SocketOpener } from './edge.js';

export type PlatformSocket = WebSocket;

export function createSocketEdge(socket: PlatformSocket, events: EdgeEvents): SocketEdge {
  return new BrowserSocketEdge(socket, events);
}

const BROWSER_OPENER: SocketOpener<WebSocket> = { headers: false, open: openBrowserSocket };

export function socketOpener(): Promise<SocketOpener<PlatformSocket>> {
  return Promise.resolve(BROWSER_OPENER);
}
