import Fastify from 'fastify';
import { createWelcomeService, type WelcomeService } from '@naylence/admission';
import { NOOP_LOGGER, type Logger } from '@naylence/core';
import { welcomePlugin } from '@naylence/fastify-plugins';
import { createJwtIssuer, generateJwtSigningKey, importJwtSigningKey, JwtKeyRing, type JwtIssuer } from '@naylence/security';
import type { WelcomeConfig } from './welcome-config.js';

/** The reference welcome server's port; we bind loopback unless told otherwise. */
export const DEFAULT_WELCOME_HOST = '127.0.0.1';
export const DEFAULT_WELCOME_PORT = 8090;
/** Where the attach-token keys are published (`{base URL}/fame/welcome/.well-known/jwks.json`), and the default issuer's path. */
export const WELCOME_JWKS_PREFIX = '/fame/welcome';

export interface RunWelcomeServerOptions extends WelcomeConfig {
  /** Default `127.0.0.1` (the reference binds 0.0.0.0). */
  readonly host?: string;
  /** Default 8090; 0 picks an ephemeral port. */
  readonly port?: number;
  /** Publish only these key types (`FAME_JWKS_KEY_TYPES`). */
  readonly jwksKeyTypes?: readonly string[];
  /** Called with every welcome given (`FAME_SHOW_ENVELOPES`). */
  readonly onWelcome?: (frame: Awaited<ReturnType<WelcomeService['handleHello']>>) => void;
  readonly logger?: Logger;
}

/** A running welcome server. Dispose it (or call `stop`) to close it. */
export interface RunningWelcomeServer extends AsyncDisposable {
  /** `http://{host}:{port}` (127.0.0.1 for 0.0.0.0). */
  readonly url: string;
  /** `{url}/fame/v1/welcome/hello`: what `FAME_ADMISSION_SERVICE_URL` names. */
  readonly helloUrl: string;
  /** `{url}/fame/welcome/.well-known/jwks.json`: a sentinel's `FAME_JWKS_URL`. */
  readonly jwksUrl: string;
  /** `iss` of the attach tokens: a sentinel's `FAME_JWT_TRUSTED_ISSUER`. */
  readonly issuer: string;
  readonly port: number;
  readonly keys: JwtKeyRing;
  stop(): Promise<void>;
}

/**
 * Start a welcome server: the library behind `naylence welcome`, the equivalent of the
 * reference's `node-welcome-server` (`POST /fame/v1/welcome/hello`, the attach-token JWKS at
 * `/fame/welcome/.well-known/jwks.json`, `GET /health`). Attach tokens are signed with a key
 * made at start (so restarting invalidates them, as in the reference) unless the config gives
 * `private_key_pem`.
 */
export async function runWelcomeServer(options: RunWelcomeServerOptions): Promise<RunningWelcomeServer> {
  const { issuer: issuerConfig } = options;
  const keyOptions = { algorithm: issuerConfig.algorithm, ...(issuerConfig.kid !== undefined && { kid: issuerConfig.kid }) };
  const key =
    issuerConfig.privateKeyPem === undefined
      ? await generateJwtSigningKey(keyOptions)
      : await importJwtSigningKey({ pem: issuerConfig.privateKeyPem, ...keyOptions });
  const keys = new JwtKeyRing(key);
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'welcome-server' });
  const host = options.host ?? DEFAULT_WELCOME_HOST;
  // The issuer may be the server's own URL, known once it listens; no token is issued before.
  const signer: { jwt?: JwtIssuer } = {};
  const tokenIssuer = {
    issue: (claims: Readonly<Record<string, unknown>>, issueOptions?: { audience?: string; ttlSec?: number }) =>
      signer.jwt!.issue(claims, issueOptions),
  };
  const service = createWelcomeService({
    placement: options.placement,
    transports: options.transports,
    tokenIssuer,
    ...(options.ttlSec !== undefined && { ttlSec: options.ttlSec }),
    ...(options.identity !== undefined && { identity: options.identity }),
    logger,
  });
  const observed: WelcomeService =
    options.onWelcome === undefined
      ? service
      : {
          handleHello: async (hello, context) => {
            const frame = await service.handleHello(hello, context);
            options.onWelcome!(frame);
            return frame;
          },
        };
  const app = Fastify({ logger: false });
  try {
    await app.register(welcomePlugin, {
      service: observed,
      ...(options.authorizer !== undefined && { authorizer: options.authorizer }),
      jwks: () => keys.jwks(),
      ...(options.jwksKeyTypes !== undefined && { keyTypes: options.jwksKeyTypes }),
      logger,
    });
    app.addHook('onResponse', (request, reply, done) => {
      logger.debug({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode }, 'request');
      done();
    });
    await app.listen({ host, port: options.port ?? DEFAULT_WELCOME_PORT });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_WELCOME_PORT);
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuer = issuerConfig.issuer ?? `${url}${WELCOME_JWKS_PREFIX}`;
  signer.jwt = createJwtIssuer({
    issuer,
    key: () => keys.current,
    ...(issuerConfig.ttlSec !== undefined && { ttlSec: issuerConfig.ttlSec }),
  });
  logger.info({ url, issuer, kid: key.kid }, 'welcome server listening');
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= app.close());
  return {
    url,
    helloUrl: `${url}/fame/v1/welcome/hello`,
    jwksUrl: `${url}${WELCOME_JWKS_PREFIX}/.well-known/jwks.json`,
    issuer,
    port,
    keys,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
