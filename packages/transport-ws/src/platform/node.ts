import type { WireMessage } from '@naylence/core';
import type { IncomingMessage } from 'node:http';
import type * as WsTypes from 'ws';
import type { PerMessageDeflateOptions, RawData, WebSocket as NodeWebSocket } from 'ws';
import { closeCodeForWsError } from '../close-codes.js';
import {
  formatAddress,
  type CorkableStream,
  type EdgeInfo,
  type EdgeEvents,
  type OpenCallbacks,
  type OpenRequest,
  type PendingOpen,
  type SocketEdge,
} from './edge.js';

export type { NodeWebSocket };

type WsModule = typeof WsTypes;
let wsModule: Promise<WsModule> | undefined;

/**
 * The `ws` library, loaded on first use so that importing this package in a browser bundle
 * never evaluates it.
 */
export function loadWs(): Promise<WsModule> {
  return (wsModule ??= import('ws'));
}

/** Whether `socket` is a Node `ws` socket (an EventEmitter) rather than a browser WebSocket. */
export function isNodeWebSocket(socket: object): socket is NodeWebSocket {
  return typeof (socket as { on?: unknown }).on === 'function';
}

/**
 * permessage-deflate as we negotiate it: no context takeover in either direction (no per-link
 * compression window kept in memory) and a threshold, so small envelopes are sent uncompressed
 * (compressing every small frame costs ~17x).
 */
export const DEFLATE_OPTIONS: PerMessageDeflateOptions = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  threshold: 1024,
};

const OPEN = 1;
const noop = (): void => {};

/** `host:port` of both ends of a socket. */
export function socketAddresses(socket: {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
}): EdgeInfo {
  const remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
  const localAddress = formatAddress(socket.localAddress, socket.localPort);
  return {
    ...(remoteAddress !== undefined && { remoteAddress }),
    ...(localAddress !== undefined && { localAddress }),
  };
}

/** Opens a Node `ws` client socket. @throws SyntaxError for an invalid URL or subprotocol */
export function openNodeSocket(ws: WsModule, request: OpenRequest, callbacks: OpenCallbacks<NodeWebSocket>): PendingOpen {
  const socket = new ws.WebSocket(request.url, [...request.protocols], {
    ...(request.headers !== undefined && { headers: { ...request.headers } }),
    maxPayload: request.maxPayload,
    perMessageDeflate: request.perMessageDeflate ? DEFLATE_OPTIONS : false,
    followRedirects: false,
  });
  let info: EdgeInfo = {};
  const onUpgrade = (response: IncomingMessage): void => {
    info = { ...socketAddresses(response.socket), stream: response.socket };
  };
  const onOpen = (): void => {
    detach();
    callbacks.open(socket, info);
  };
  const onError = (error: Error): void => callbacks.fail(error);
  const onClose = (code: number): void => callbacks.fail(new Error(`closed during the opening handshake (code ${code})`));
  const detach = (): void => {
    socket.off('upgrade', onUpgrade);
    socket.off('open', onOpen);
    socket.off('error', onError);
    socket.off('close', onClose);
  };
  socket.on('upgrade', onUpgrade);
  socket.on('open', onOpen);
  socket.on('error', onError);
  socket.on('close', onClose);
  return {
    abort: () => {
      detach();
      socket.on('error', noop);
      socket.terminate();
    },
  };
}
const SEND_BINARY = { binary: true } as const;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An inbound message as text, or its bytes when they are not valid UTF-8 (`toString` would
 * replace them silently; the fabric's decoder refuses them with INVALID_ENVELOPE instead).
 */
function inboundMessage(data: RawData): WireMessage {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  try {
    return strictUtf8.decode(bytes); // validates and decodes in one pass
  } catch {
    return bytes;
  }
}

/**
 * Edge over a Node `ws` socket. Outbound bytes are counted from `send` until the library's
 * write callback reports them written to the OS, so back-pressure needs no polling.
 */
export class NodeSocketEdge implements SocketEdge {
  readonly #ws: NodeWebSocket;
  readonly #events: EdgeEvents;
  readonly #stream: CorkableStream | undefined;
  #buffered = 0;
  #watching = false;
  #corked = false;

  /** @param stream the TCP stream under `ws` (from the upgrade), to batch writes; none = no batching */
  constructor(ws: NodeWebSocket, events: EdgeEvents, stream?: CorkableStream) {
    this.#ws = ws;
    this.#events = events;
    this.#stream = stream;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: RawData) => events.message(inboundMessage(data)));
    ws.on('error', (error: Error) => events.failed(closeCodeForWsError(error), error));
    ws.on('close', (code: number, reason: Buffer) => events.closed(code, reason.toString('utf8')));
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  isOpen(): boolean {
    return this.#ws.readyState === OPEN;
  }

  send(message: WireMessage): void {
    // Every envelope sent in one turn of the event loop leaves in one socket write: the first
    // send corks the TCP socket and the next check phase uncorks it (after the microtasks in
    // which handlers answer). One write per envelope was the largest CPU cost of every role.
    const stream = this.#stream;
    if (!this.#corked && stream !== undefined) {
      this.#corked = true;
      stream.cork();
      setImmediate(() => {
        this.#corked = false;
        stream.uncork();
      });
    }
    // The fabric hands over bytes encoded once: `ws` sends them as they are.
    const bytes = typeof message === 'string' ? Buffer.byteLength(message) : message.byteLength;
    this.#buffered += bytes;
    this.#ws.send(message, SEND_BINARY, () => {
      this.#buffered -= bytes;
      if (this.#watching) this.#events.flushed();
    });
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  watchFlush(on: boolean): void {
    this.#watching = on;
  }
}
