import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '@naylence/core';
import { DEFAULT_TOKEN_TTL_SEC, type JwtIssuer } from '@naylence/security';
import { installErrorHandler, installFormParser, OAuth2Error } from './errors.js';
import { AuthorizationCodes, checkPkceString } from './oauth2/authorization-codes.js';
import { checkClients, findClient, presentedClient, secretMatches, type OAuth2Client } from './oauth2/clients.js';
import { DevLogin, type DevLoginOptions } from './oauth2/dev-login.js';
import { grantScopes } from './oauth2/scopes.js';

export interface OAuth2PkceOptions {
  /** Registered redirect URIs (exact match). Required: the reference accepts any URI (S2). */
  readonly redirectUris: readonly string[];
  /** Let clients without a secret redeem codes. Needs `devLogin` (else anyone knowing a client id gets tokens). Default false. */
  readonly allowPublicClients?: boolean;
  /** Lifetime of an authorization code. Default 300 s. */
  readonly codeTtlSec?: number;
  /** A username/password page in front of `/authorize`. Off unless given. */
  readonly devLogin?: DevLoginOptions;
}

export interface OAuth2TokenPluginOptions {
  /** Signs the tokens; its `issuer` is the `iss`. */
  readonly issuer: JwtIssuer;
  /** The registered clients (the reference has one, from `FAME_JWT_CLIENT_ID` / `_SECRET`). */
  readonly clients: readonly OAuth2Client[];
  /** Scopes that may be granted. Default `['node.connect']`. */
  readonly allowedScopes?: readonly string[];
  /** `aud` when the request names none. Default `fame-fabric`. */
  readonly audience?: string;
  /** If set, a requested `audience` must be one of these (`invalid_request` otherwise). Default: any (as the reference). */
  readonly allowedAudiences?: readonly string[];
  /** Token lifetime. Default 3600 s. */
  readonly tokenTtlSec?: number;
  /** Requested scopes none of which is allowed: `reject` (default, `invalid_scope`) or `grant-all` (the reference). */
  readonly unknownScopes?: 'reject' | 'grant-all';
  /** Authorization code + PKCE (development). Off unless given. */
  readonly pkce?: OAuth2PkceOptions;
  /** Where the routes live. Default `/oauth` (`/oauth/token`, `/oauth/authorize`, `/oauth/login`). */
  readonly basePath?: string;
}

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const TokenRequest = Type.Object(
  {
    grant_type: text(64),
    client_id: text(256),
    client_secret: text(1024),
    scope: text(1024),
    audience: text(1024),
    code: text(256),
    redirect_uri: text(2048),
    code_verifier: text(256),
  },
  { additionalProperties: true },
);
const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});
const AuthorizeQuery = Type.Object(
  {
    response_type: text(32),
    client_id: text(256),
    redirect_uri: text(2048),
    code_challenge: text(256),
    code_challenge_method: text(16),
    scope: text(1024),
    state: text(1024),
  },
  { additionalProperties: true },
);

function checkOptions(options: OAuth2TokenPluginOptions): void {
  checkClients(options.clients ?? []);
  if (options.issuer === undefined) throw new ConfigError('oauth2 token plugin: a JWT issuer is required');
  if ((options.allowedScopes ?? ['node.connect']).length === 0) throw new ConfigError('oauth2 token plugin: allowedScopes is empty');
  const pkce = options.pkce;
  if (pkce !== undefined) {
    if (pkce.redirectUris.length === 0) throw new ConfigError('oauth2 token plugin: PKCE needs at least one registered redirect URI');
    for (const uri of pkce.redirectUris)
      if (!URL.canParse(uri)) throw new ConfigError(`oauth2 token plugin: invalid redirect URI ${JSON.stringify(uri)}`);
    if (pkce.allowPublicClients && pkce.devLogin === undefined) {
      throw new ConfigError(
        'oauth2 token plugin: public PKCE clients need the developer login (otherwise anyone who knows a client id gets tokens)',
      );
    }
    if (pkce.devLogin !== undefined && (!pkce.devLogin.username || !pkce.devLogin.password)) {
      throw new ConfigError('oauth2 token plugin: the developer login needs a username and a password');
    }
  }
}

/**
 * The OAuth2 token endpoint (admission-and-http §8.3): `POST /oauth/token` with the
 * client-credentials grant (form or JSON body; HTTP Basic or body credentials; client id and
 * secret compared in constant time) and, when `pkce` is given, the authorization-code grant
 * with PKCE behind `GET /oauth/authorize` (registered redirect URIs; developer login only when
 * configured). Answers as the reference: `{access_token, token_type:"Bearer", expires_in, scope}`
 * with `Cache-Control: no-store`, errors as RFC 6749 `{error, error_description}`.
 *
 * Tokens: header `{alg, kid, typ:"JWT"}`, claims `iss, iat, nbf, exp, aud, sub, client_id, scope`.
 *
 * @throws ConfigError at registration for missing clients, an empty scope list, PKCE without
 *   redirect URIs, or public clients without the developer login
 */
export const oauth2TokenPlugin = fp<OAuth2TokenPluginOptions>(
  (async (fastify, options) => {
    checkOptions(options);
    installErrorHandler(fastify);
    installFormParser(fastify);
    await fastify.register((scoped: FastifyInstance) => routes(scoped, options), { prefix: options.basePath ?? '/oauth' });
  }) satisfies FastifyPluginAsync<OAuth2TokenPluginOptions>,
  { name: '@naylence/fastify-plugins/oauth2-token', fastify: '5.x', encapsulate: true },
);

function routes(fastify: FastifyInstance, options: OAuth2TokenPluginOptions): Promise<void> {
  const basePath = options.basePath ?? '/oauth';
  const allowedScopes = options.allowedScopes ?? ['node.connect'];
  const ttl = options.tokenTtlSec ?? DEFAULT_TOKEN_TTL_SEC;
  const unknownScopes = options.unknownScopes ?? 'reject';
  const pkce = options.pkce;
  const codes = new AuthorizationCodes(pkce?.codeTtlSec ?? 300);
  const devLogin = pkce?.devLogin === undefined ? undefined : new DevLogin(pkce.devLogin);
  devLogin?.register(fastify, basePath);

  const audienceFor = (requested: string | undefined): string => {
    if (requested === undefined || requested === '') return options.audience ?? 'fame-fabric';
    if (options.allowedAudiences !== undefined && !options.allowedAudiences.includes(requested)) {
      throw new OAuth2Error('invalid_request', 'The requested audience is not allowed');
    }
    return requested;
  };

  fastify.post('/token', { schema: { body: TokenRequest, response: { 200: TokenResponse } } }, async (request, reply) => {
    const body = (request.body ?? {}) as Static<typeof TokenRequest>;
    const grantType = body.grant_type;
    if (grantType !== 'client_credentials' && grantType !== 'authorization_code') {
      throw new OAuth2Error('unsupported_grant_type', 'Only client_credentials and authorization_code grant types are supported');
    }
    const presented = presentedClient(request.headers.authorization, body);
    if (presented.clientId === undefined) throw new OAuth2Error('invalid_request', 'client_id is required');
    const client = findClient(options.clients, presented.clientId);
    const secretOk = presented.clientSecret !== undefined && secretMatches(client, presented.clientSecret);
    if (presented.clientSecret !== undefined && !secretOk) throw new OAuth2Error('invalid_client', 'Invalid client credentials');

    let scopes: readonly string[];
    if (grantType === 'client_credentials') {
      if (!secretOk) throw new OAuth2Error('invalid_client', 'Invalid client credentials');
      scopes = grantScopes(body.scope, allowedScopes, unknownScopes);
    } else {
      if (pkce === undefined) throw new OAuth2Error('unsupported_grant_type', 'PKCE support is disabled');
      if (!secretOk && !pkce.allowPublicClients) throw new OAuth2Error('invalid_client', 'Invalid client credentials');
      if (!body.code || !body.redirect_uri) throw new OAuth2Error('invalid_request', 'code and redirect_uri are required');
      const verifier = checkPkceString(body.code_verifier, 'code_verifier');
      if (!URL.canParse(body.redirect_uri)) throw new OAuth2Error('invalid_request', 'redirect_uri must be an absolute URL');
      scopes = codes.redeem(body.code, client.clientId, body.redirect_uri, verifier).scopes;
    }
    const scope = scopes.join(' ');
    const accessToken = await options.issuer.issue(
      { sub: client.clientId, client_id: client.clientId, scope },
      { ttlSec: ttl, audience: audienceFor(body.audience) },
    );
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ttl, scope };
  });

  fastify.get('/authorize', { schema: { querystring: AuthorizeQuery } }, (request, reply) => {
    if (pkce === undefined) throw new OAuth2Error('endpoint_disabled', 'PKCE support is disabled');
    if (devLogin !== undefined && !devLogin.hasSession(request)) {
      return reply.redirect(`${basePath}/login?return_to=${encodeURIComponent(request.url)}`, 302);
    }
    const query = request.query as Static<typeof AuthorizeQuery>;
    if (query.response_type !== 'code') throw new OAuth2Error('unsupported_response_type', 'response_type must be code');
    if (!query.client_id) throw new OAuth2Error('invalid_request', 'client_id is required');
    const client = findClient(options.clients, query.client_id);
    if (!query.redirect_uri || !pkce.redirectUris.includes(query.redirect_uri)) {
      throw new OAuth2Error('invalid_request', 'redirect_uri is not registered');
    }
    const method = query.code_challenge_method ?? 'S256';
    if (method !== 'S256' && method !== 'plain') throw new OAuth2Error('invalid_request', 'code_challenge_method must be S256 or plain');
    const challenge = checkPkceString(query.code_challenge, 'code_challenge');
    const scopes = grantScopes(query.scope, allowedScopes, unknownScopes);
    const code = codes.issue({ clientId: client.clientId, redirectUri: query.redirect_uri, challenge, method, scopes });
    const target = new URL(query.redirect_uri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    target.searchParams.set('scope', scopes.join(' '));
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').redirect(target.href, 302);
  });
  return Promise.resolve();
}
