/** A token server built from the plugins, as the reference's dev OAuth2 server is laid out. */
import Fastify, { type FastifyInstance } from 'fastify';
import { createJwtIssuer, JwtKeyRing } from '@naylence/security';
import { healthPlugin, jwksPlugin, oauth2TokenPlugin, openIdConfigurationPlugin, type OAuth2TokenPluginOptions } from './index.js';

export interface TokenServerOptions {
  readonly issuer?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly audience?: string;
  readonly scopes?: readonly string[];
  readonly token?: Partial<OAuth2TokenPluginOptions>;
}

export interface TestApp extends AsyncDisposable {
  readonly app: FastifyInstance;
  readonly keys: JwtKeyRing;
}

export async function tokenServer(options: TokenServerOptions = {}): Promise<TestApp> {
  const keys = await JwtKeyRing.generate();
  const issuer = options.issuer ?? 'https://auth.spec.test';
  const scopes = options.scopes ?? ['node.connect', 'node.trusted'];
  const app = Fastify({ logger: false });
  await app.register(jwksPlugin, { jwks: () => keys.jwks() });
  await app.register(openIdConfigurationPlugin, { issuer, scopes });
  await app.register(oauth2TokenPlugin, {
    issuer: createJwtIssuer({ issuer, key: () => keys.current }),
    clients: [{ clientId: options.clientId ?? 'spec-client', clientSecret: options.clientSecret ?? 'spec-secret-123' }],
    allowedScopes: scopes,
    audience: options.audience ?? 'fame.fabric',
    ...options.token,
  });
  await app.register(healthPlugin);
  await app.ready();
  return { app, keys, [Symbol.asyncDispose]: () => app.close() };
}

/** Listens on 127.0.0.1, port 0; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}
