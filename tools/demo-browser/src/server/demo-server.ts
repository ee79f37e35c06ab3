import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { NOOP_LOGGER, type Logger } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { jwksPlugin, oauth2TokenPlugin } from '@naylence/fastify-plugins';
import {
  createJwtIssuer,
  createLocalJwksVerifier,
  JwtKeyRing,
  oauth2Authorizer,
  oauth2ClientCredentialsTokenProvider,
} from '@naylence/security';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { serveMath } from './agents.js';
import { startOverlay, type RunningOverlay } from './overlay.js';
import { loadStaticFiles } from './static-files.js';

/** The built pages (`pnpm build` writes them). */
export const WWW_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/www');
/** The OAuth2 client id of the page (a public PKCE client). */
export const PAGE_CLIENT_ID = 'demo-page';
export const AUDIENCE = 'fame-fabric';

export interface DemoOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** The developer login the page's PKCE sign-in goes through. Default user `demo`, a random password. */
  readonly login?: { readonly username: string; readonly password: string };
  readonly logger?: Logger;
}

/** What the page reads from `/demo/config.json`. */
export interface PageConfig {
  readonly wsUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** The sentinel running the `overlay` security profile (its own port). */
  readonly overlayWsUrl: string;
}

export interface RunningDemo extends AsyncDisposable {
  /** The page: `http://{host}:{port}/`. */
  readonly url: string;
  readonly config: PageConfig;
  readonly login: { readonly username: string; readonly password: string };
  readonly sentinel: Fabric;
  readonly agent: Fabric;
  /** The `overlay` sentinel and agent (the signed round trip). */
  readonly overlay: RunningOverlay;
  /** The WebSocket listener of the sentinel (mounted on the demo's HTTP server). */
  readonly listener: WebSocketListener;
  /** A token the sentinel accepts (`node.connect`, for `subject`), for clients other than the page. */
  mintToken(subject: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the demo on one HTTP server: the built pages, an OAuth2 authorization server (PKCE with
 * a developer login, client credentials, JWKS), our sentinel (WebSocket listener on the same
 * server; tokens verified against the server's own keys) and the Node agent (math + the Node
 * side of the signed round trip), which attaches with a client-credentials token.
 * @throws Error when the pages were not built
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  if (!existsSync(path.join(WWW_DIR, 'index.html'))) throw new Error(`${WWW_DIR} has no pages: run \`pnpm build\` first`);
  const files = loadStaticFiles(WWW_DIR);
  const logger = options.logger ?? NOOP_LOGGER;
  const login = options.login ?? { username: 'demo', password: randomBytes(9).toString('base64url') };
  const agentSecret = randomBytes(24).toString('base64url');

  // The HTTP server first: the registered redirect URI and the token issuer need its port.
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const base = {
    wsUrl: `${url.replace(/^http/, 'ws')}/fame/v1/attach/ws/downstream`,
    authorizeUrl: `${url}/oauth/authorize`,
    tokenUrl: `${url}/oauth/token`,
    clientId: PAGE_CLIENT_ID,
    redirectUri: `${url}/`,
  };
  let config: PageConfig = { ...base, overlayWsUrl: '' };

  const cleanup: (() => Promise<unknown>)[] = [() => new Promise((resolve) => server.close(resolve))];
  const close = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const keys = await JwtKeyRing.generate('EdDSA');
    const issuer = createJwtIssuer({ issuer: url, key: () => keys.current });
    const mintToken = (subject: string) =>
      issuer.issue({ sub: subject, client_id: subject, scope: 'node.connect' }, { audience: AUDIENCE });
    const app = Fastify({ logger: false, serverFactory: (handler) => ((handle = handler), server) });
    cleanup.push(() => app.close());
    await app.register(oauth2TokenPlugin, {
      issuer,
      clients: [{ clientId: 'demo-agent', clientSecret: agentSecret }, { clientId: PAGE_CLIENT_ID }],
      audience: AUDIENCE,
      pkce: { redirectUris: [base.redirectUri], allowPublicClients: true, devLogin: { ...login, title: 'Naylence demo login' } },
    });
    await app.register(jwksPlugin, { jwks: () => keys.jwks() });
    app.get('/demo/config.json', () => config);
    app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
    app.get('/*', (request, reply) => {
      const file = files.get(request.url.split('?')[0]!);
      if (file === undefined) return reply.code(404).type('text/plain').send('not found');
      return reply.type(file.type).header('cache-control', 'no-store').send(file.body);
    });
    await app.ready();

    const listener = new WebSocketListener({
      server,
      authorizer: oauth2Authorizer({
        issuer: url,
        audience: AUDIENCE,
        verifier: createLocalJwksVerifier({ issuer: url, audience: AUDIENCE, jwks: keys.jwks() }),
      }),
    });
    const sentinel = await createFabric({ systemId: 'demo-sentinel', listeners: [listener], logger: logger.child({ node: 'sentinel' }) });
    cleanup.push(() => sentinel.stop());
    const agent = await createFabric({
      systemId: 'math-agent',
      logger: logger.child({ node: 'agent' }),
      connect: new WebSocketDialer({
        url: base.wsUrl,
        tokenProvider: oauth2ClientCredentialsTokenProvider({
          tokenUrl: base.tokenUrl,
          clientId: 'demo-agent',
          clientSecret: agentSecret,
        }),
      }),
    });
    cleanup.push(() => agent.stop());
    await serveMath(agent);
    const overlay = await startOverlay({
      issuer: url,
      audience: AUDIENCE,
      host: address,
      agentTokens: oauth2ClientCredentialsTokenProvider({ tokenUrl: base.tokenUrl, clientId: 'demo-agent', clientSecret: agentSecret }),
      logger,
    });
    cleanup.push(() => overlay.close());
    config = { ...base, overlayWsUrl: overlay.wsUrl };
    return { url: `${url}/`, config, login, sentinel, agent, overlay, listener, mintToken, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}
