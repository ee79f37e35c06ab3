/**
 * The bare baseline: the same topology with nothing but `ws` and JSON. The relay parses every
 * message, looks up `to` (a bound address or a connection id) and forwards it re-serialized —
 * the least a sentinel must do. No flow control, acks, heartbeats or validation.
 *
 * With `BENCH_BARE_ATTACH_ACK=1` (sentinel and clients) every client sends one small message
 * right after the upgrade and waits for the relay's small answer before it counts as attached:
 * the least an attach with one message exchange (NodeAttach, NodeAttachAck) costs over `ws`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { BenchClient, Impl } from './impl.js';

interface Message {
  attach?: string;
  to?: string;
  replyTo?: string;
  id?: number;
  method?: string;
  params?: { x: number; y: number };
  result?: number;
  bind?: string;
  payload?: unknown;
}

// binaryType is 'nodebuffer' and messages are never fragmented here, so `data` is one Buffer
const parse = (data: RawData) => JSON.parse((data as Buffer).toString()) as Message;
const attachAck = (): boolean => process.env.BENCH_BARE_ATTACH_ACK === '1';

function connect(port: number, id: string, onMessage: (m: Message) => void): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${encodeURIComponent(id)}`, { perMessageDeflate: false });
  socket.on('message', (data) => onMessage(parse(data)));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function close(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close();
  });
}

export const impl: Impl = {
  async sentinel() {
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    const routes = new Map<string, WebSocket>();
    wss.on('connection', (socket, request) => {
      const id = decodeURIComponent((request.url ?? '/').slice(1));
      routes.set(id, socket);
      socket.on('message', (data) => {
        const message = parse(data);
        if (message.attach !== undefined) socket.send(JSON.stringify({ ok: true, path: `/bare/${message.attach}` }));
        else if (message.bind !== undefined) routes.set(message.bind, socket);
        else routes.get(message.to!)?.send(JSON.stringify(message));
      });
      socket.on('close', () => routes.delete(id));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      stop: () => new Promise<void>((resolve) => wss.close(() => server.close(() => resolve()))),
    };
  },

  async agent(port, id) {
    let delivered = 0;
    const socket: WebSocket = await connect(port, id, (m) => {
      if (m.method === 'add') socket.send(JSON.stringify({ to: m.replyTo, id: m.id, result: m.params!.x + m.params!.y }));
      else if (m.to === 'sink@fame.fabric') delivered++;
    });
    socket.send(JSON.stringify({ bind: 'math@fame.fabric' }));
    socket.send(JSON.stringify({ bind: 'sink@fame.fabric' }));
    return { delivered: () => delivered, stop: () => close(socket) };
  },

  async client(port, id) {
    const pending = new Map<number, { resolve: (v: number) => void; timer: NodeJS.Timeout }>();
    let nextId = 0;
    let attached: (() => void) | undefined;
    const socket = await connect(port, id, (m) => {
      if (attached !== undefined) return attached();
      const call = pending.get(m.id!);
      if (call === undefined) return;
      pending.delete(m.id!);
      clearTimeout(call.timer);
      call.resolve(m.result!);
    });
    if (attachAck())
      await new Promise<void>((resolve) => {
        attached = () => {
          attached = undefined;
          resolve();
        };
        socket.send(JSON.stringify({ attach: id }));
      });
    return {
      add: (x, timeoutMs) =>
        new Promise<number>((resolve, reject) => {
          const callId = nextId++;
          const timer = setTimeout(() => {
            pending.delete(callId);
            reject(new Error('timeout'));
          }, timeoutMs);
          pending.set(callId, { resolve, timer });
          socket.send(JSON.stringify({ to: 'math@fame.fabric', replyTo: id, id: callId, method: 'add', params: { x, y: 1 } }));
        }),
      send: (payload) => {
        socket.send(JSON.stringify({ to: 'sink@fame.fabric', payload }));
        return Promise.resolve();
      },
      stop: () => close(socket),
    } satisfies BenchClient;
  },
};
