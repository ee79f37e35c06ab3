// Test fixtures of the CLI's tests (`*.test.*` files are left out of the tarball).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIo } from './main.js';

/**
 * An HTTP server on 127.0.0.1, port 0, with no WebSocket route yet: WebSocket attach attempts to
 * it fail (the upgrade is dropped) until a sentinel is mounted on `server`. It holds its port
 * the whole time, so no other process can take it (no probe-then-bind).
 */
export async function parentNotUpYet(): Promise<{ server: Server; port: number; url: string } & AsyncDisposable> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A CliIo that records what the command writes; `ready` resolves with the READY line's URL. */
export function recordingIo(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  let onReady!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (onReady = resolve));
  const io: CliIo = {
    stdout: {
      write: (text: string) => {
        out.push(text);
        const match = /^READY (\S+)$/m.exec(text);
        if (match) onReady(match[1]!);
      },
    },
    stderr: { write: (text: string) => err.push(text) },
    ...(signal !== undefined && { signal }),
  };
  return { io, ready, stdout: () => out.join(''), stderr: () => err.join('') };
}
