import { SignJWT } from 'jose';
import { ConfigError } from '@naylence/core';
import type { JwtSigningKey } from './signing-keys.js';

/** Default token lifetime, as the reference issuers use. */
export const DEFAULT_TOKEN_TTL_SEC = 3600;

export interface JwtIssuerOptions {
  /** `iss` of every token. */
  readonly issuer: string;
  /** The key to sign with, or a function giving the current one (a {@link JwtKeyRing}). */
  readonly key: JwtSigningKey | (() => JwtSigningKey);
  /** Lifetime of a token in seconds. Default 3600. */
  readonly ttlSec?: number;
  /** Default `aud`, unless a call gives one. */
  readonly audience?: string | readonly string[];
}

export interface IssueOptions {
  readonly ttlSec?: number;
  readonly audience?: string | readonly string[];
}

/** Mints signed JWTs (admission-and-http §5.2). */
export interface JwtIssuer {
  readonly issuer: string;
  /** The kid and algorithm tokens are signed with right now. */
  signingKey(): JwtSigningKey;
  /**
   * A signed token. Header `{alg, kid, typ:"JWT"}`; payload `iss, iat, nbf, exp[, aud]` followed
   * by `claims` (which win over the standard ones, as in the reference).
   */
  issue(claims?: Readonly<Record<string, unknown>>, options?: IssueOptions): Promise<string>;
}

/**
 * A JWT issuer with `jose` (EdDSA by default; RS*, ES* and, for reverse auth, HS* keys work).
 * @throws ConfigError for an empty issuer or a non-positive ttl
 *
 * @example
 * ```ts
 * import { createJwtIssuer, generateJwtSigningKey } from '@naylence/security';
 *
 * const issuer = createJwtIssuer({ issuer: 'https://auth.example', key: await generateJwtSigningKey() });
 * const token = await issuer.issue({ sub: 'agent-1', scope: 'node.connect' }, { audience: 'fame.fabric' });
 * ```
 */
export function createJwtIssuer(options: JwtIssuerOptions): JwtIssuer {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new ConfigError('JWT issuer: `issuer` must be a non-empty string');
  const defaultTtl = options.ttlSec ?? DEFAULT_TOKEN_TTL_SEC;
  if (!(defaultTtl > 0)) throw new ConfigError(`JWT issuer: ttlSec must be positive, got ${defaultTtl}`);
  const current = typeof options.key === 'function' ? options.key : () => options.key as JwtSigningKey;
  return {
    issuer: options.issuer,
    signingKey: current,
    async issue(claims = {}, issueOptions = {}) {
      const key = current();
      const ttl = issueOptions.ttlSec ?? defaultTtl;
      const now = Math.floor(Date.now() / 1000);
      const audience = issueOptions.audience ?? options.audience;
      const payload: Record<string, unknown> = { iss: options.issuer, iat: now, nbf: now, exp: now + ttl };
      if (audience !== undefined) payload.aud = typeof audience === 'string' ? audience : [...audience];
      Object.assign(payload, claims);
      return new SignJWT(payload).setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    },
  };
}
