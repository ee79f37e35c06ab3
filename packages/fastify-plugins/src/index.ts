/**
 * `@naylence/fastify-plugins`: Fastify plugins serving JWKS, OAuth2 token, OpenID configuration, welcome and attach routes for the FAME agent fabric.
 *
 * Not implemented yet: this package exists so the workspace, its layering and its build are
 * in place. It exports nothing until its issue lands.
 *
 * @packageDocumentation
 */
export {};
