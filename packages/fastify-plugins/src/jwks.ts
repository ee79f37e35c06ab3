import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { JsonWebKeySet } from '@naylence/security';
import { installErrorHandler } from './errors.js';

export interface JwksPluginOptions {
  /** The key set, or a function giving it per request (a rotating key ring's `jwks()`). */
  readonly jwks: JsonWebKeySet | (() => JsonWebKeySet | Promise<JsonWebKeySet>);
  /** Publish only keys whose `kty` is listed (the reference's `FAME_JWKS_KEY_TYPES`, e.g. `['OKP']`). */
  readonly keyTypes?: readonly string[];
}

const JwksResponse = Type.Object({ keys: Type.Array(Type.Object({ kty: Type.String() }, { additionalProperties: true })) });

/**
 * `GET /.well-known/jwks.json` (admission-and-http §8.1): `{"keys":[…]}`. Register with a
 * `prefix` to mount it elsewhere (the reference's welcome server uses `/fame/welcome`).
 */
export const jwksPlugin = fp<JwksPluginOptions>(
  ((fastify, options) => {
    installErrorHandler(fastify);
    const keyTypes = options.keyTypes?.length ? new Set(options.keyTypes.map((t) => t.toUpperCase())) : undefined;
    const source = options.jwks;
    fastify.get('/.well-known/jwks.json', { schema: { response: { 200: JwksResponse } } }, async () => {
      const jwks = typeof source === 'function' ? await source() : source;
      return { keys: keyTypes === undefined ? jwks.keys : jwks.keys.filter((k) => keyTypes.has(String(k.kty).toUpperCase())) };
    });
    return Promise.resolve();
  }) satisfies FastifyPluginAsync<JwksPluginOptions>,
  { name: '@naylence/fastify-plugins/jwks', fastify: '5.x', encapsulate: true },
);
