import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** An HTTP server on an ephemeral loopback port (listen on 0, read the port back), closed with its connections on dispose. */
export async function startHttpServer(server: Server = createServer()): Promise<{ server: Server; port: number } & AsyncDisposable> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A loopback port that refuses connections: 1 (tcpmux), which nothing serves on a test machine.
 * A fixed port instead of one found free and closed again, which another process could take.
 */
export const REFUSED_PORT = 1;

/** A raw TCP connection to 127.0.0.1:`port`; `closed` resolves when the server drops it, with what it wrote. */
export async function rawTcp(port: number): Promise<{ socket: Socket; closed: Promise<string> } & AsyncDisposable> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, [Symbol.asyncDispose]: async () => void (socket.destroy(), await closed) };
}
