// Test fixtures (not part of the package API; `*.test.*` files are left out of the tarball).
// Everything that holds a socket or a server is an AsyncDisposable, for `await using`.
// The recording host and the loopback helpers are shared with the HTTP transport's tests.
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TestHost } from '@naylence-tools/transport-compliance';
import type { ListenerAddress } from '@naylence/core';
import { WebSocket, type RawData } from 'ws';
import type { WebSocketListenerOptions } from './listener-options.js';
import { WebSocketListener } from './listener.js';

export { TestHost, startHttpServer, REFUSED_PORT } from '@naylence-tools/transport-compliance';

export interface RunningListener extends AsyncDisposable {
  readonly listener: WebSocketListener;
  readonly address: ListenerAddress;
  readonly host: TestHost;
  /** `ws://127.0.0.1:{port}{path}`. */
  url(path: string): string;
}

export async function startListener(options: WebSocketListenerOptions = {}, host = new TestHost()): Promise<RunningListener> {
  const listener = new WebSocketListener({ host: '127.0.0.1', ...options });
  const address = await listener.listen(host);
  return {
    listener,
    address,
    host,
    url: (path) => `ws://127.0.0.1:${address.port}${path}`,
    [Symbol.asyncDispose]: () => listener.close(),
  };
}

export interface RawMessage {
  readonly text: string;
  readonly isBinary: boolean;
}

/** A plain `ws` client, for looking at the listener's wire behaviour. */
export interface RawClient extends AsyncDisposable {
  readonly ws: WebSocket;
  readonly messages: RawMessage[];
  /** Resolves when the socket closes, with the code and reason the server sent. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` messages arrived in total. */
  untilMessages(count: number): Promise<void>;
}

export async function rawClient(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<RawClient> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
  const messages: RawMessage[] = [];
  let waiters: { count: number; resolve(): void }[] = [];
  ws.on('message', (data: RawData, isBinary: boolean) => {
    messages.push({ text: (data as Buffer).toString('utf8'), isBinary });
    const ready = waiters.filter((w) => messages.length >= w.count);
    waiters = waiters.filter((w) => messages.length < w.count);
    for (const waiter of ready) waiter.resolve();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    untilMessages: (count) =>
      messages.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    [Symbol.asyncDispose]: async () => {
      ws.terminate();
      await closed;
    },
  };
}

/**
 * A TCP server that accepts connections and never answers (an upgrade that hangs). `accepted`
 * resolves on the first connection.
 */
export async function startSilentServer(): Promise<{ port: number; accepted: Promise<void> } & AsyncDisposable> {
  const sockets = new Set<Socket>();
  let onAccepted!: () => void;
  const accepted = new Promise<void>((resolve) => (onAccepted = resolve));
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onAccepted();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
