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

const EDGE = Symbol('naylence.edge');
type TaggedSocket = NodeWebSocket & { [EDGE]?: NodeSocketEdge };

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
  /** The turn of the event loop this edge last sent in (see `send`). */
  #lastTurn = -1;

  // Turns of the event loop, counted by one `setImmediate` for all edges, scheduled only when
  // something was sent; edges corked in the current turn are uncorked when it ends.
  static #turn = 0;
  static #turnScheduled = false;
  static #corkedEdges: NodeSocketEdge[] = [];
  static #endTurn(): void {
    NodeSocketEdge.#turnScheduled = false;
    NodeSocketEdge.#turn += 1;
    const corked = NodeSocketEdge.#corkedEdges;
    NodeSocketEdge.#corkedEdges = [];
    for (const edge of corked) {
      edge.#corked = false;
      edge.#stream?.uncork();
    }
  }

  // One listener function each for every socket (no closures per link): the socket knows its edge.
  static #onMessage(this: TaggedSocket, data: RawData): void {
    this[EDGE]!.#events.message(inboundMessage(data));
  }
  static #onError(this: TaggedSocket, error: Error): void {
    this[EDGE]!.#events.failed(closeCodeForWsError(error), error);
  }
  static #onClose(this: TaggedSocket, code: number, reason: Buffer): void {
    this[EDGE]!.#events.closed(code, reason.toString('utf8'));
  }

  /** @param stream the TCP stream under `ws` (from the upgrade), to batch writes; none = no batching */
  constructor(ws: NodeWebSocket, events: EdgeEvents, stream?: CorkableStream) {
    this.#ws = ws;
    this.#events = events;
    this.#stream = stream;
    ws.binaryType = 'nodebuffer';
    (ws as TaggedSocket)[EDGE] = this;
    ws.on('message', NodeSocketEdge.#onMessage);
    ws.on('error', NodeSocketEdge.#onError);
    ws.on('close', NodeSocketEdge.#onClose);
  }

  get bufferedBytes(): number {
    return this.#buffered;
  }

  isOpen(): boolean {
    return this.#ws.readyState === OPEN;
  }

  send(message: WireMessage): void {
    // The first envelope of a turn of the event loop is written at once (most turns send one:
    // an ack, a reply); from the second on, the TCP socket is corked and everything else of the
    // turn leaves in one write when the turn ends (after the microtasks in which handlers
    // answer). One write per envelope was the largest CPU cost of every role.
    const stream = this.#stream;
    if (stream !== undefined) {
      if (!NodeSocketEdge.#turnScheduled) {
        NodeSocketEdge.#turnScheduled = true;
        setImmediate(NodeSocketEdge.#endTurn);
      }
      if (this.#lastTurn !== NodeSocketEdge.#turn) this.#lastTurn = NodeSocketEdge.#turn;
      else if (!this.#corked) {
        this.#corked = true;
        stream.cork();
        NodeSocketEdge.#corkedEdges.push(this);
      }
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
