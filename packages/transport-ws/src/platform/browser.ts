import type { WireMessage } from '@naylence/core';
import type { EdgeEvents, OpenCallbacks, OpenRequest, PendingOpen, SocketEdge } from './edge.js';

const OPEN = 1;
/** Browsers report no write progress, so a waiting `drain()` polls `bufferedAmount` this often. */
const FLUSH_POLL_MS = 10;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Text of a binary message, or its bytes when they are not valid UTF-8 (the fabric refuses those). */
function inboundMessage(data: ArrayBuffer): WireMessage {
  const bytes = new Uint8Array(data);
  try {
    return decoder.decode(bytes);
  } catch {
    return bytes;
  }
}

/**
 * Edge over a browser (WHATWG) `WebSocket`. Strings are encoded so that every frame is binary;
 * reading cannot be paused and a socket cannot be dropped without a handshake, so those are
 * best-effort.
 */
export class BrowserSocketEdge implements SocketEdge {
  readonly #ws: WebSocket;
  readonly #events: EdgeEvents;
  #poll: ReturnType<typeof setTimeout> | undefined;

  constructor(ws: WebSocket, events: EdgeEvents) {
    this.#ws = ws;
    this.#events = events;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      events.message(typeof event.data === 'string' ? event.data : inboundMessage(event.data));
    });
    // A browser 'error' event carries no detail and is always followed by 'close'.
    ws.addEventListener('close', (event: CloseEvent) => {
      this.watchFlush(false);
      events.closed(event.code, event.reason);
    });
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  isOpen(): boolean {
    return this.#ws.readyState === OPEN;
  }

  send(message: WireMessage): void {
    this.#ws.send(typeof message === 'string' ? encoder.encode(message) : message);
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.close();
  }

  pause(): void {}

  resume(): void {}

  watchFlush(on: boolean): void {
    if (!on) {
      clearTimeout(this.#poll);
      this.#poll = undefined;
    } else if (this.#poll === undefined) {
      const tick = (): void => {
        this.#poll = setTimeout(tick, FLUSH_POLL_MS);
        this.#events.flushed();
      };
      this.#poll = setTimeout(tick, FLUSH_POLL_MS);
    }
  }
}

/** Opens a browser `WebSocket`. @throws DOMException (SyntaxError) for an invalid URL or subprotocol */
export function openBrowserSocket(request: OpenRequest, callbacks: OpenCallbacks<WebSocket>): PendingOpen {
  const socket = new WebSocket(request.url, [...request.protocols]);
  socket.binaryType = 'arraybuffer';
  const onOpen = (): void => {
    detach();
    callbacks.open(socket, {});
  };
  // Browsers hide why a handshake failed; the close event that follows carries the code.
  const onClose = (event: CloseEvent): void => callbacks.fail(new Error(`closed during the opening handshake (code ${event.code})`));
  const detach = (): void => {
    socket.removeEventListener('open', onOpen);
    socket.removeEventListener('close', onClose);
  };
  socket.addEventListener('open', onOpen);
  socket.addEventListener('close', onClose);
  return {
    abort: () => {
      detach();
      socket.close();
    },
  };
}
