/**
 * `@naylence/fastify-plugins`: the FAME HTTP endpoints (the security endpoints of
 * admission-and-http §8, and the HTTP ingress) as Fastify plugins, each with `fastify-plugin` metadata, TypeBox route schemas and errors
 * answered through the project's error table.
 *
 * - {@link jwksPlugin}: `GET /.well-known/jwks.json`.
 * - {@link openIdConfigurationPlugin}: `GET /.well-known/openid-configuration`.
 * - {@link oauth2TokenPlugin}: `POST /oauth/token` (client credentials; authorization code +
 *   PKCE for development), `GET /oauth/authorize`, optional developer login.
 * - {@link healthPlugin}: liveness `GET /health` and readiness `GET /ready`.
 * - {@link ingressPlugin}: the HTTP ingress of a node (`/fame/v1/ingress/…`), answered by an
 *   `HttpListener` of `@naylence/transport-http`.
 * - {@link welcomePlugin}: the welcome service (`POST /fame/v1/welcome/hello`, its JWKS under
 *   `/fame/welcome`, `GET /health`), answered by a `WelcomeService` of `@naylence/admission`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createJwtIssuer, JwtKeyRing } from '@naylence/security';
 * import { jwksPlugin, oauth2TokenPlugin } from '@naylence/fastify-plugins';
 *
 * const keys = await JwtKeyRing.generate();
 * const app = Fastify();
 * await app.register(jwksPlugin, { jwks: () => keys.jwks() });
 * await app.register(oauth2TokenPlugin, {
 *   issuer: createJwtIssuer({ issuer: 'http://127.0.0.1:8099', key: () => keys.current }),
 *   clients: [{ clientId: 'agent', clientSecret: process.env.SECRET! }],
 *   audience: 'fame.fabric',
 * });
 * await app.listen({ host: '127.0.0.1', port: 8099 });
 * ```
 *
 * @packageDocumentation
 */
export { jwksPlugin, type JwksPluginOptions } from './jwks.js';
export { openIdConfigurationPlugin, type OpenIdConfigurationPluginOptions } from './openid-configuration.js';
export { oauth2TokenPlugin, type OAuth2TokenPluginOptions, type OAuth2PkceOptions } from './oauth2-token.js';
export type { OAuth2Client } from './oauth2/clients.js';
export type { DevLoginOptions } from './oauth2/dev-login.js';
export { healthPlugin, type HealthPluginOptions, type Readiness } from './health.js';
export { OAuth2Error, type OAuth2ErrorCode } from './errors.js';
export { ingressPlugin, type IngressPluginOptions } from './ingress.js';
export { welcomePlugin, type WelcomePluginOptions } from './welcome.js';
