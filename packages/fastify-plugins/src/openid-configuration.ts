import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import { installErrorHandler } from './errors.js';

export interface OpenIdConfigurationPluginOptions {
  /** `issuer` of the document (or a function giving it, read per request); default base of the endpoint URLs. */
  readonly issuer: string | (() => string);
  /** Base of `token_endpoint` and `jwks_uri`. Default: the issuer without a trailing `/`. */
  readonly baseUrl?: string;
  /** `scopes_supported`. Default `['node.connect']`. */
  readonly scopes?: readonly string[];
  /** `id_token_signing_alg_values_supported`. Default `EdDSA`. */
  readonly algorithm?: string;
  /** Advertise the authorization endpoint and the authorization-code grant. Default false. */
  readonly pkce?: boolean;
  /** Where the OAuth2 routes live. Default `/oauth`. */
  readonly oauthBasePath?: string;
}

const Document = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    authorization_endpoint: Type.Optional(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    grant_types_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    subject_types_supported: Type.Array(Type.String()),
    id_token_signing_alg_values_supported: Type.Array(Type.String()),
    code_challenge_methods_supported: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

/** `GET /.well-known/openid-configuration` (admission-and-http §8.2), the reference's document. */
export const openIdConfigurationPlugin = fp<OpenIdConfigurationPluginOptions>(
  ((fastify, options) => {
    installErrorHandler(fastify);
    const oauth = options.oauthBasePath ?? '/oauth';
    const documentFor = (issuer: string) => {
      const base = (options.baseUrl ?? issuer).replace(/\/+$/, '');
      return {
        issuer,
        token_endpoint: `${base}${oauth}/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        ...(options.pkce && { authorization_endpoint: `${base}${oauth}/authorize` }),
        scopes_supported: [...(options.scopes ?? ['node.connect'])],
        response_types_supported: options.pkce ? ['token', 'code'] : ['token'],
        grant_types_supported: options.pkce ? ['client_credentials', 'authorization_code'] : ['client_credentials'],
        token_endpoint_auth_methods_supported: options.pkce
          ? ['client_secret_basic', 'client_secret_post', 'none']
          : ['client_secret_basic', 'client_secret_post'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [options.algorithm ?? 'EdDSA'],
        ...(options.pkce && { code_challenge_methods_supported: ['S256', 'plain'] }),
      };
    };
    const fixed = typeof options.issuer === 'string' ? documentFor(options.issuer) : undefined;
    const issuerOf = options.issuer;
    fastify.get('/.well-known/openid-configuration', { schema: { response: { 200: Document } } }, () =>
      Promise.resolve(fixed ?? documentFor((issuerOf as () => string)())),
    );
    return Promise.resolve();
  }) satisfies FastifyPluginAsync<OpenIdConfigurationPluginOptions>,
  { name: '@naylence/fastify-plugins/openid-configuration', fastify: '5.x', encapsulate: true },
);
