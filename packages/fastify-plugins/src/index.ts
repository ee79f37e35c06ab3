/**
 * `@naylence/fastify-plugins`: Fastify plugins serving JWKS, OAuth2 token, OpenID configuration, welcome and attach routes for the FAME agent fabric.
 *
 * - {@link ingressPlugin}: the HTTP ingress of a node (`/fame/v1/ingress/…`), answered by an
 *   `HttpListener` of `@naylence/transport-http`.
 *
 * @packageDocumentation
 */
export { ingressPlugin, type IngressPluginOptions } from './ingress.js';
