import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '@naylence/core';
import {
  guardServer,
  INGRESS_PREFIX,
  LINK_HEADER,
  SEQ_HEADER,
  type HttpListener,
  type HttpServerLimits,
  type IngressResponse,
} from '@naylence/transport-http';

export interface IngressPluginOptions {
  /**
   * The listener whose ingress the routes serve. Create it with `server: app.server` so it
   * reports the address Fastify listens on, and start the fabric after `app.listen()`.
   */
  readonly listener: HttpListener;
  /** Largest request body; a larger one is answered `413`. Default 256 KiB (the envelope limit). */
  readonly bodyLimit?: number;
  /**
   * Edge limits applied to the Fastify instance's server (`app.server`), i.e. to every
   * connection of the host: connection caps (503), headers, request and keep-alive timeouts,
   * with the defaults of `HttpServerLimits` for what is left out. `false` leaves the server
   * alone: then set Fastify's `requestTimeout`, `connectionTimeout`, `keepAliveTimeout` and
   * `app.server.headersTimeout` / `maxConnections` yourself, or a hostile token holder can hold
   * connections open. The ingress's own limits (links, attaches in progress, auth throttle) are
   * the listener's options and apply either way.
   */
  readonly serverLimits?: HttpServerLimits | false;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TOO_LARGE: IngressResponse = { status: 413, body: '{"error":"Request body too large"}' };

function send(reply: FastifyReply, response: IngressResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers({ 'content-type': JSON_TYPE, ...response.headers })
    .send(response.body);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function ingress(app: FastifyInstance, options: IngressPluginOptions): Promise<void> {
  const { listener } = options;
  const bodyLimit = options.bodyLimit ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (options.serverLimits !== false) guardServer(app.server, { ...options.serverLimits, logger: app.log });
  await app.register(
    (scope, _options, done) => {
      // Every body reaches the ingress as bytes (it validates envelopes itself).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
      scope.setErrorHandler((error: { statusCode?: number }, _request, reply) =>
        send(reply, error.statusCode === 413 ? TOO_LARGE : { status: 500, body: '{"error":"Internal server error"}' }),
      );
      const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        const url = request.url;
        const query = url.search(/[?#]/);
        const response = await listener.handleIngress({
          method: request.method,
          path: query === -1 ? url : url.slice(0, query),
          authorization: request.headers.authorization,
          linkId: header(request.headers[LINK_HEADER]),
          seq: header(request.headers[SEQ_HEADER]),
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
          remoteAddress: request.ip,
        });
        // As HttpListener does: an accepted message may already be forwarded by a POST undici writes in the
        // check phase; answer after it, so our 202 does not hold the forwarded message back.
        if (response.status === 202) await new Promise<void>((resolve) => setImmediate(resolve));
        return send(reply, response);
      };
      for (const url of ['/downstream/:systemId', '/peer/:systemId', '/upstream'])
        scope.route({ method: ['POST', 'DELETE'], url, handler });
      scope.route({ method: ['GET', 'HEAD'], url: '/health', handler });
      done();
    },
    { prefix: INGRESS_PREFIX },
  );
}

/**
 * Fastify plugin serving the HTTP ingress of a node (protocol-core §4.9):
 * `POST|DELETE /fame/v1/ingress/{downstream|peer}/:systemId`, `POST|DELETE /fame/v1/ingress/upstream`
 * and `GET /fame/v1/ingress/health`, answered by an `HttpListener` of `@naylence/transport-http`
 * (same status codes and bodies as the listener on its own server).
 *
 * Hostile peers: the listener's limits on links, attaches in progress and failed
 * authentication apply as on its own server; the plugin also caps and times out the
 * connections of the Fastify server it is registered on (`serverLimits`; `false` to opt out).
 * Node checks those timeouts every `connectionsCheckingInterval` (30 s unless the server was
 * created with a shorter one, e.g. through Fastify's `serverFactory`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createFabric } from '@naylence/fabric';
 * import { HttpListener } from '@naylence/transport-http';
 * import { ingressPlugin } from '@naylence/fastify-plugins';
 *
 * const app = Fastify();
 * const listener = new HttpListener({ server: app.server });
 * await app.register(ingressPlugin, { listener });
 * await app.listen({ host: '127.0.0.1', port: 8000 });
 * const fabric = await createFabric({ listeners: [listener] }); // children POST to /fame/v1/ingress/downstream/{id}
 * ```
 */
export const ingressPlugin = fp(ingress, { name: '@naylence/fastify-plugins/ingress', fastify: '5.x' });
