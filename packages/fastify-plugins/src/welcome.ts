import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  createEnvelope,
  isFameError,
  NOOP_LOGGER,
  serializeEnvelope,
  type Authorizer,
  type AuthorizationContext,
  type Logger,
} from '@naylence/core';
import { helloFromRequestBody, type WelcomeService } from '@naylence/admission';
import { jwksPlugin, type JwksPluginOptions } from './jwks.js';
import { httpStatusOf } from './errors.js';

export interface WelcomePluginOptions {
  /** The welcome service (`createWelcomeService` of `@naylence/admission`). */
  readonly service: WelcomeService;
  /** Authenticates every hello (`Authorization` header); absent = anyone may ask (the reference's default too). */
  readonly authorizer?: Authorizer;
  /** The attach-token keys, published at `{jwksPrefix}/.well-known/jwks.json` for sentinels to verify them. */
  readonly jwks?: JwksPluginOptions['jwks'];
  /** Publish only these key types (`FAME_JWKS_KEY_TYPES`). */
  readonly keyTypes?: readonly string[];
  /** Route prefix of the hello route. Default `/fame/v1/welcome`. */
  readonly routePrefix?: string;
  /** Prefix of the JWKS route. Default `/fame/welcome` (the reference welcome server's). */
  readonly jwksPrefix?: string;
  /** Serve `GET /health` → `{"status":"healthy","service":"node-welcome-server"}` as the reference server does. Default true. */
  readonly health?: boolean;
  /** Largest hello body. Default 64 KiB. */
  readonly bodyLimit?: number;
  /** Where refusals and failures are logged. Default: nowhere. */
  readonly logger?: Logger;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function detail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', JSON_TYPE).send({ detail: message });
}

async function welcome(app: FastifyInstance, options: WelcomePluginOptions): Promise<void> {
  const { service, authorizer } = options;
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'welcome-plugin' });
  const prefix = (options.routePrefix ?? '/fame/v1/welcome').replace(/\/+$/, '');
  await app.register((scope, _options, done) => {
    scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) logger.error({ err: error }, 'welcome request failed');
      // Body parse errors (bad JSON, too large, wrong content type) keep their 4xx status.
      return detail(reply, status === 400 ? 422 : status, status === 500 ? 'Internal error' : error.message);
    });
    scope.post(`${prefix}/hello`, { bodyLimit: options.bodyLimit ?? 64 * 1024 }, async (request: FastifyRequest, reply: FastifyReply) => {
      let authorization: AuthorizationContext | undefined;
      if (authorizer !== undefined) {
        authorization = await authorizer.authenticate(request.headers.authorization);
        if (authorization === undefined) {
          logger.debug({ remote: request.ip }, 'hello refused: authentication failed');
          return detail(reply, 401, 'Authentication failed');
        }
      }
      try {
        const hello = helloFromRequestBody(request.body);
        const frame = await service.handleHello(hello, authorization === undefined ? {} : { authorization });
        return await reply
          .code(200)
          .header('content-type', JSON_TYPE)
          .send(serializeEnvelope(createEnvelope({ frame })));
      } catch (error) {
        // Our own errors carry their status (422 invalid hello, 403 refused); anything else is
        // an internal failure whose message stays here (the reference answers it, S7).
        const status = isFameError(error) ? httpStatusOf(error.code) : 500;
        if (status >= 500) {
          logger.error({ err: error }, 'hello failed');
          return detail(reply, 500, 'Internal error');
        }
        logger.debug({ remote: request.ip, reason: (error as Error).message }, 'hello refused');
        return detail(reply, status, (error as Error).message);
      }
    });
    if (options.health ?? true) {
      scope.get('/health', () => Promise.resolve({ status: 'healthy', service: 'node-welcome-server' }));
    }
    done();
  });
  if (options.jwks !== undefined) {
    await app.register(jwksPlugin, {
      jwks: options.jwks,
      ...(options.keyTypes !== undefined && { keyTypes: options.keyTypes }),
      prefix: options.jwksPrefix ?? '/fame/welcome',
    } as JwksPluginOptions);
  }
}

/**
 * The welcome service over HTTP (admission-and-http §8.5), as the reference's welcome server
 * lays it out: `POST /fame/v1/welcome/hello` (a NodeHello envelope in either casing → 200 a
 * NodeWelcome envelope), the attach-token keys at `/fame/welcome/.well-known/jwks.json`, and
 * `GET /health`.
 *
 * Answers: 401 `{"detail":"Authentication failed"}` when the authorizer refuses the caller;
 * 422 `{"detail":…}` for a body that is not a NodeHello envelope and for invalid logicals or ids
 * (the reference answers 500 for those, S7); 403 `{"detail":…}` when the service refuses
 * (placement, no transport in common); 500 `{"detail":"Internal error"}` otherwise, the cause
 * logged, never sent.
 */
export const welcomePlugin = fp<WelcomePluginOptions>(welcome, { name: '@naylence/fastify-plugins/welcome', fastify: '5.x' });
