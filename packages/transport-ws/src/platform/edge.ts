import type { WireMessage } from '@naylence/core';

/**
 * The platform edge of a WebSocket connector: the only code that touches a concrete socket
 * (Node `ws` or a browser `WebSocket`). Everything else (state, buffering, back-pressure, idle
 * timeout, close semantics) lives once in `WebSocketConnector`.
 */
export interface SocketEdge {
  /** Outbound bytes handed to the socket and not yet written out. */
  readonly bufferedBytes: number;
  /** Whether the socket accepts data frames (false once a close frame was sent or received). */
  isOpen(): boolean;
  /** Sends one message as a binary frame, bytes as they are (strings as their UTF-8 bytes). */
  send(message: WireMessage): void;
  /** Starts the closing handshake with an already sanitized code and reason. */
  close(code: number, reason: string): void;
  /** Drops the connection without a handshake. */
  terminate(): void;
  /** Stops / restarts reading from the network (no-ops where the platform cannot). */
  pause(): void;
  resume(): void;
  /** While on, call {@link EdgeEvents.flushed} whenever outbound bytes were written out. */
  watchFlush(on: boolean): void;
}

/** What an edge reports to its connector. */
export interface EdgeEvents {
  /**
   * One inbound message (text or binary frame): its text, or its raw bytes when they are not
   * valid UTF-8 (the fabric's decoder then refuses it with a coded INVALID_ENVELOPE, the same as
   * on every other transport; nothing is silently replaced).
   */
  message(message: WireMessage): void;
  /** Outbound bytes were written out (only while watched). */
  flushed(): void;
  /** The socket library rejected inbound data and is closing the link with `code`. */
  failed(code: number, error: Error): void;
  /** The socket is closed; `code`/`reason` are what the peer sent (1005/1006 when nothing). */
  closed(code: number, reason: string): void;
}

/** The TCP stream under a socket, whose writes can be batched. */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/** What the platform learned when a socket opened. */
export interface EdgeInfo {
  readonly remoteAddress?: string;
  readonly localAddress?: string;
  /** The socket's TCP stream (Node: from the upgrade request or response), to batch writes. */
  readonly stream?: CorkableStream;
}

/** `host:port`, with IPv6 hosts in brackets; undefined when the socket has no address. */
export function formatAddress(host: string | undefined, port: number | undefined): string | undefined {
  if (host === undefined) return undefined;
  const h = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

/** Callbacks of a socket being opened by a dialer. */
export interface OpenCallbacks<S> {
  /** The handshake completed; called synchronously in the socket's open event. */
  open(socket: S, info: EdgeInfo): void;
  /** The handshake failed (error, refusal, unexpected HTTP response, close). */
  fail(error: Error): void;
}

/** A socket being opened; `abort` drops it and silences its callbacks. */
export interface PendingOpen {
  abort(): void;
}

export interface OpenRequest {
  readonly url: string;
  readonly protocols: readonly string[];
  /** Extra upgrade request headers (Node only). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest inbound message accepted (Node only; browsers have no limit). */
  readonly maxPayload: number;
  /** Offer permessage-deflate (Node only; browsers decide themselves). */
  readonly perMessageDeflate: boolean;
}

/** How a dialer opens sockets on this platform. */
export interface SocketOpener<S> {
  /** Whether upgrade request headers can be set (Node `ws`; never a browser `WebSocket`). */
  readonly headers: boolean;
  open(request: OpenRequest, callbacks: OpenCallbacks<S>): PendingOpen;
}
