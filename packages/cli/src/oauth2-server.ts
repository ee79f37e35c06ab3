import Fastify from 'fastify';
import { NOOP_LOGGER, type Logger } from '@naylence/core';
import { healthPlugin, jwksPlugin, oauth2TokenPlugin, openIdConfigurationPlugin, type OAuth2PkceOptions } from '@naylence/fastify-plugins';
import {
  createJwtIssuer,
  generateJwtSigningKey,
  importJwtSigningKey,
  JwtKeyRing,
  type AsymmetricJwtAlgorithm,
  type JwtIssuer,
} from '@naylence/security';

/** The reference dev server's defaults (admission-and-http §8.2–§8.6), except the host. */
export const DEFAULT_OAUTH2_HOST = '127.0.0.1';
export const DEFAULT_OAUTH2_PORT = 8099;
export const DEFAULT_OAUTH2_ISSUER = 'https://auth.fame.fabric';
export const DEFAULT_OAUTH2_AUDIENCE = 'fame-fabric';

/** What {@link runOAuth2Server} needs: the client, and optionally everything else. */
export interface RunOAuth2ServerOptions {
  /** Interface to bind. Default `127.0.0.1` (the reference binds 0.0.0.0). */
  readonly host?: string;
  /** Default 8099; 0 picks an ephemeral port. */
  readonly port?: number;
  /** The one registered client (`FAME_JWT_CLIENT_ID` / `FAME_JWT_CLIENT_SECRET`). */
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * `iss` of the tokens. Default `https://auth.fame.fabric`. A function gets the server's base URL
   * once it listens (`(url) => url` makes the issuer the server itself, so that verifiers find the
   * keys at `<issuer>/.well-known/jwks.json`, as the reference's oauth2 profiles look for them).
   */
  readonly issuer?: string | ((baseUrl: string) => string);
  /** `aud` when the request names none. Default `fame-fabric`. */
  readonly audience?: string;
  /** Signing algorithm of a generated key. Default `EdDSA`. */
  readonly algorithm?: AsymmetricJwtAlgorithm;
  /** Grantable scopes. Default `['node.connect']`. */
  readonly allowedScopes?: readonly string[];
  /** Publish only these key types at the JWKS endpoint (`FAME_JWKS_KEY_TYPES`). */
  readonly jwksKeyTypes?: readonly string[];
  /** A PKCS#8 PEM signing key, so tokens survive restarts; default: a fresh key per start. */
  readonly signingKeyPem?: string;
  readonly signingKeyId?: string;
  /** Authorization code + PKCE (development). Off unless given. */
  readonly pkce?: OAuth2PkceOptions;
  readonly logger?: Logger;
}

/** A running token server. Dispose it (or call `stop`) to close it. */
export interface RunningOAuth2Server extends AsyncDisposable {
  /** `http://{host}:{port}` (127.0.0.1 for 0.0.0.0). */
  readonly url: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly port: number;
  /** The signing keys; `keys.rotate(…)` switches to a new key without a restart. */
  readonly keys: JwtKeyRing;
  stop(): Promise<void>;
}

/**
 * Start a development OAuth2 token server: the library behind `naylence oauth2-server`, the
 * equivalent of the reference's dev server (`POST /oauth/token`, `GET /.well-known/jwks.json`,
 * `GET /.well-known/openid-configuration`, `GET /health`), from `@naylence/fastify-plugins`.
 * Unlike the reference it binds 127.0.0.1 by default, checks the client secret in constant
 * time, refuses unknown scopes, and has PKCE and the developer login off unless configured.
 *
 * @throws FameError `INVALID_CONFIG` for missing client credentials or an unusable key;
 *   the listen error when the port cannot be bound
 */
export async function runOAuth2Server(options: RunOAuth2ServerOptions): Promise<RunningOAuth2Server> {
  const algorithm = options.algorithm ?? 'EdDSA';
  const key =
    options.signingKeyPem === undefined
      ? await generateJwtSigningKey({ algorithm, ...(options.signingKeyId !== undefined && { kid: options.signingKeyId }) })
      : await importJwtSigningKey({
          pem: options.signingKeyPem,
          algorithm,
          ...(options.signingKeyId !== undefined && { kid: options.signingKeyId }),
        });
  const keys = new JwtKeyRing(key);
  const host = options.host ?? DEFAULT_OAUTH2_HOST;
  // Resolved once listening when the issuer depends on the URL; no token is issued before.
  let issuer = typeof options.issuer === 'string' ? options.issuer : DEFAULT_OAUTH2_ISSUER;
  let jwt = createJwtIssuer({ issuer, key: () => keys.current });
  const lazyIssuer: JwtIssuer = {
    get issuer() {
      return issuer;
    },
    signingKey: () => keys.current,
    issue: (claims, issueOptions) => jwt.issue(claims, issueOptions),
  };
  const audience = options.audience ?? DEFAULT_OAUTH2_AUDIENCE;
  const allowedScopes = options.allowedScopes ?? ['node.connect'];
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'oauth2-server' });

  const app = Fastify({ logger: false });
  try {
    await app.register(oauth2TokenPlugin, {
      issuer: lazyIssuer,
      clients: [{ clientId: options.clientId, clientSecret: options.clientSecret }],
      allowedScopes,
      audience,
      ...(options.pkce !== undefined && { pkce: options.pkce }),
    });
    await app.register(jwksPlugin, {
      jwks: () => keys.jwks(),
      ...(options.jwksKeyTypes !== undefined && { keyTypes: options.jwksKeyTypes }),
    });
    await app.register(openIdConfigurationPlugin, {
      issuer: () => issuer,
      scopes: allowedScopes,
      algorithm,
      pkce: options.pkce !== undefined,
    });
    await app.register(healthPlugin);
    app.addHook('onResponse', (request, reply, done) => {
      logger.debug({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode }, 'request');
      done();
    });
    await app.listen({ host, port: options.port ?? DEFAULT_OAUTH2_PORT });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_OAUTH2_PORT);
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
  if (typeof options.issuer === 'function') {
    issuer = options.issuer(url);
    jwt = createJwtIssuer({ issuer, key: () => keys.current });
  }
  logger.info({ url, issuer, audience, algorithm, kid: key.kid }, 'oauth2 server listening');
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= app.close());
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    jwksUrl: `${url}/.well-known/jwks.json`,
    issuer,
    audience,
    port,
    keys,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
