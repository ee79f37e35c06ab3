/**
 * `@naylence/security`: Envelope signing, verification, encryption, JWT/JWKS, token providers and authorizers for the FAME agent fabric.
 *
 * Not implemented yet: this package exists so the workspace, its layering and its build are
 * in place. It exports nothing until its issue lands.
 *
 * @packageDocumentation
 */
export {};
