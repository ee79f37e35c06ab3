import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';

/** What the readiness callback reports: a boolean, or one with details (e.g. `{ attached: true }`). */
export type Readiness = boolean | { readonly ready: boolean; readonly detail?: Readonly<Record<string, unknown>> };

export interface HealthPluginOptions {
  /** Liveness route. Default `/health` (the reference's OAuth2 server answers `{"status":"ok"}` there). */
  readonly livenessPath?: string;
  /** Readiness route. Default `/ready`. */
  readonly readinessPath?: string;
  /** Is the service ready (e.g. attached upstream)? Default: always ready. */
  readonly ready?: () => Readiness | Promise<Readiness>;
  /** Added as `service` to both answers. */
  readonly service?: string;
}

const Status = Type.Object({ status: Type.String(), service: Type.Optional(Type.String()) }, { additionalProperties: true });

/**
 * Liveness (`GET /health` → 200 `{"status":"ok"}`: the process answers) and readiness
 * (`GET /ready` → 200 `{"status":"ready"}` or 503 `{"status":"not_ready"}`, from the `ready`
 * callback, e.g. whether a node is attached to its parent).
 */
export const healthPlugin = fp<HealthPluginOptions>(
  ((fastify, options) => {
    const service = options.service === undefined ? {} : { service: options.service };
    fastify.get(options.livenessPath ?? '/health', { schema: { response: { 200: Status } } }, () =>
      Promise.resolve({ status: 'ok', ...service }),
    );
    fastify.get(options.readinessPath ?? '/ready', { schema: { response: { 200: Status, 503: Status } } }, async (_request, reply) => {
      let readiness: Readiness;
      try {
        readiness = options.ready === undefined ? true : await options.ready();
      } catch (error) {
        fastify.log.warn({ err: error }, 'readiness check failed');
        readiness = false;
      }
      const { ready, detail } = typeof readiness === 'boolean' ? { ready: readiness, detail: undefined } : readiness;
      return reply.code(ready ? 200 : 503).send({ ...detail, status: ready ? 'ready' : 'not_ready', ...service });
    });
    return Promise.resolve();
  }) satisfies FastifyPluginAsync<HealthPluginOptions>,
  { name: '@naylence/fastify-plugins/health', fastify: '5.x', encapsulate: true },
);
