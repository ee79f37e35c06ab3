/** Small real HTTP servers on 127.0.0.1 for the tests of this package (port 0, disposable). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/** An HTTP server whose every request is recorded and answered by `handler`. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** Serves `jwks()` (evaluated per request) at `/.well-known/jwks.json`. */
export function startJwksServer(jwks: () => unknown): Promise<TestServer & { readonly jwksUrl: string; readonly issuer: string }> {
  return startServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') sendJson(res, 200, jwks());
    else sendJson(res, 404, { error: 'not found' });
  }).then((server) => Object.assign(server, { jwksUrl: `${server.url}/.well-known/jwks.json`, issuer: server.url }));
}

/** A port nothing listens on (bound, read, closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
