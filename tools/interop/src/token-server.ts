/**
 * A stand-in for an OAuth2 token endpoint (client-credentials grant): the reference's
 * `direct-http` admission profile always fetches a token from `FAME_ADMISSION_TOKEN_URL`
 * (admission-and-http §1.1, §10). It answers every request with `token`, valid for
 * `expiresIn` seconds, and records the requests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServer extends AsyncDisposable {
  /** `http://127.0.0.1:{port}/oauth/token`. */
  readonly url: string;
  /** Form bodies received, parsed. */
  readonly requests: Record<string, string>[];
}

export async function startTokenServer(token: string, expiresIn = 3600): Promise<TokenServer> {
  const requests: Record<string, string>[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push(Object.fromEntries(new URLSearchParams(body)));
      response
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'node.connect' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth/token`,
    requests,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
