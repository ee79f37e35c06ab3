import { unverifiedClaims } from '../jwt/claims.js';
import { createHmacJwtVerifier } from '../jwt/hmac-verifier.js';
import { createJwtIssuer } from '../jwt/jwt-issuer.js';
import { hmacSigningKey } from '../jwt/signing-keys.js';
import { oauth2Authorizer, type OAuth2Authorizer } from './oauth2-authorizer.js';
import type { Logger } from '@naylence/core';

/** Defaults of the reference's `oauth2-callback` profile. */
export const DEFAULT_REVERSE_AUTH_ISSUER = 'reverse-auth.naylence.ai';
export const DEFAULT_REVERSE_AUTH_AUDIENCE = 'dev.naylence.ai';
export const DEFAULT_REVERSE_AUTH_TTL_SEC = 86_400;
/** The reference's kid for reverse-auth HMAC tokens. */
export const REVERSE_AUTH_KID = 'hmac-reverse-auth-key';

export interface OAuth2CallbackAuthorizerOptions {
  /** The shared HMAC secret (`FAME_HMAC_SECRET`), at least 32 bytes. */
  readonly secret: string;
  /** Default `reverse-auth.naylence.ai`. */
  readonly issuer?: string;
  /** Default `dev.naylence.ai`. */
  readonly audience?: string;
  /** Lifetime of minted tokens and the oldest `iat` accepted. Default 86 400 s. */
  readonly ttlSec?: number;
  /** Default `['node.connect']`; minted tokens carry them as `capabilities`. */
  readonly requiredScopes?: readonly string[];
  readonly clockToleranceSec?: number;
  /** Names the secret in errors. Default `FAME_HMAC_SECRET`. */
  readonly secretName?: string;
  readonly logger?: Logger;
}

/** What a node advertises in its callback grant's `auth`, and the token inside. */
export interface ReverseAuthorization {
  /** `{"type":"BearerTokenHeaderAuthInjectionStrategy","tokenProvider":{"type":"StaticTokenProvider",…}}` */
  readonly auth: {
    readonly type: 'BearerTokenHeaderAuthInjectionStrategy';
    readonly tokenProvider: { readonly type: 'StaticTokenProvider'; readonly token: string; readonly expiresAt: string };
  };
  readonly token: string;
  readonly expiresAt: Date;
}

export interface OAuth2CallbackAuthorizer extends OAuth2Authorizer {
  /**
   * Mints the token a parent presents when it calls this node back over HTTP (reverse auth):
   * `{iss, aud, iat, nbf, exp, sub:"reverse-auth-<node id>", instance_id, capabilities}`, HS256,
   * kid `hmac-reverse-auth-key`.
   */
  reverseAuthorization(node: { readonly nodeId: string; readonly instanceId?: string }): Promise<ReverseAuthorization>;
}

/**
 * The `oauth2-callback` authorizer (admission-and-http §6.1): admits HTTP callbacks that
 * present an HS256 token signed with the shared secret, and mints such tokens for this node's
 * callback grants. Only HS256 is accepted (no public-key token can be checked against the
 * secret), tokens need `iat` no older than the ttl.
 * @throws ConfigError when the secret is missing or shorter than 32 bytes
 */
export function oauth2CallbackAuthorizer(options: OAuth2CallbackAuthorizerOptions): OAuth2CallbackAuthorizer {
  const issuer = options.issuer ?? DEFAULT_REVERSE_AUTH_ISSUER;
  const audience = options.audience ?? DEFAULT_REVERSE_AUTH_AUDIENCE;
  const ttlSec = options.ttlSec ?? DEFAULT_REVERSE_AUTH_TTL_SEC;
  const requiredScopes = options.requiredScopes ?? ['node.connect'];
  const secretName = options.secretName ?? 'FAME_HMAC_SECRET';
  const key = hmacSigningKey({ secret: options.secret ?? '', kid: REVERSE_AUTH_KID, what: secretName });
  const verifier = createHmacJwtVerifier({
    secret: options.secret,
    secretName,
    issuer,
    audience,
    maxTokenAgeSec: ttlSec,
    ...(options.clockToleranceSec !== undefined && { clockToleranceSec: options.clockToleranceSec }),
  });
  const tokenIssuer = createJwtIssuer({ issuer, key, ttlSec, audience });
  const authorizer = oauth2Authorizer({
    issuer,
    audience,
    verifier,
    requiredScopes,
    authMethod: 'oauth2-callback',
    ...(options.logger !== undefined && { logger: options.logger }),
  });
  return {
    ...authorizer,
    async reverseAuthorization(node) {
      const token = await tokenIssuer.issue({
        sub: `reverse-auth-${node.nodeId}`,
        ...(node.instanceId !== undefined && { instance_id: node.instanceId }),
        capabilities: [...requiredScopes],
      });
      const exp = unverifiedClaims(token)?.exp;
      const expiresAt = new Date((typeof exp === 'number' ? exp : 0) * 1000);
      return {
        auth: {
          type: 'BearerTokenHeaderAuthInjectionStrategy',
          tokenProvider: { type: 'StaticTokenProvider', token, expiresAt: expiresAt.toISOString() },
        },
        token,
        expiresAt,
      };
    },
  };
}
