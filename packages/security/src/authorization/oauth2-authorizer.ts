import { ConfigError, NOOP_LOGGER, type AuthorizationContext, type Authorizer, type Logger, type NodeAttachFrame } from '@naylence/core';
import type { AsymmetricJwtAlgorithm } from '../jwt/algorithms.js';
import { bearerToken, grantedScopes, stringClaim } from '../jwt/claims.js';
import { createJwksVerifier } from '../jwt/jwks-verifier.js';
import { TokenVerificationError } from '../jwt/token-errors.js';
import type { TokenVerifier } from '../jwt/verify.js';
import { nodeBindingViolation, type NodeBindingOptions } from './node-binding.js';
import { rateLimitedLog } from './refusal-log.js';

export interface OAuth2AuthorizerOptions extends NodeBindingOptions {
  /** Trusted `iss`; also the default base of the JWKS URL. */
  readonly issuer: string;
  /** Expected `aud` (any of). Required: a token for another audience is refused. */
  readonly audience: string | readonly string[];
  /** Default `<issuer>/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** Accepted algorithms. Default `EdDSA, RS256, ES256`. */
  readonly algorithms?: readonly AsymmetricJwtAlgorithm[];
  /** A token must grant one of these (any-of). Default `['node.connect']`. */
  readonly requiredScopes?: readonly string[];
  /** Default true; false accepts tokens without any required scope. */
  readonly requireScope?: boolean;
  /** Leeway for `exp`/`nbf`, seconds. Default 30. */
  readonly clockToleranceSec?: number;
  /** Key-set cache and refetch cooldown (see {@link createJwksVerifier}). */
  readonly jwksCacheMaxAgeMs?: number;
  readonly jwksRefetchCooldownMs?: number;
  /** Verify with this instead of a JWKS verifier built from `issuer`/`jwksUrl`. */
  readonly verifier?: TokenVerifier;
  /** `authMethod` reported in the context. Default `oauth2`. */
  readonly authMethod?: string;
  readonly logger?: Logger;
}

/** The OAuth2 authorizer, plus the checks with their reasons (for logs and tests). */
export interface OAuth2Authorizer extends Authorizer {
  /**
   * Like `authenticate`, but throws the reason instead of returning undefined.
   * @throws TokenVerificationError (`AUTHENTICATION_FAILED`)
   */
  authenticateOrThrow(credentials: string | undefined): Promise<AuthorizationContext>;
  /** Why `attach` is refused on a link authenticated with `context`; undefined = admitted. */
  attachViolation(attach: NodeAttachFrame, context: AuthorizationContext): string | undefined;
  authorizeAttach(attach: NodeAttachFrame, context: AuthorizationContext): Promise<boolean>;
}

/**
 * The `oauth2` authorizer (admission-and-http §6.2, `OAuth2Authorizer`): a link is admitted
 * with a JWT from the trusted issuer, for the expected audience, granting one of the required
 * scopes (`node.connect`), verified against the issuer's JWKS. Its NodeAttach must match the
 * token (`system_id`, and with `enforceTokenSubjectNodeIdentity` the `sub` fingerprint: the
 * `oauth2-gated` behaviour).
 *
 * The context carries `principal` (`sub`, else `client_id`), the verified `claims` (plus the
 * header `kid`), `grantedScopes` (`scope`, `scopes`, `scp`, `capabilities`) and `authMethod`.
 *
 * @throws ConfigError when `issuer` or `audience` is missing, or the JWKS URL is invalid
 *
 * @example
 * ```ts
 * import { WebSocketListener } from '@naylence/transport-ws';
 * import { oauth2Authorizer } from '@naylence/security';
 *
 * const authorizer = oauth2Authorizer({ issuer: 'https://auth.example', audience: 'fame.fabric', algorithms: ['EdDSA'] });
 * const listener = new WebSocketListener({ port: 8000, authorizer });
 * ```
 */
export function oauth2Authorizer(options: OAuth2AuthorizerOptions): OAuth2Authorizer {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new ConfigError('oauth2 authorizer: a trusted issuer is required');
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
    throw new ConfigError('oauth2 authorizer: an expected audience is required');
  }
  const verifier =
    options.verifier ??
    createJwksVerifier({
      issuer: options.issuer,
      audience: audiences,
      jwksUrl: options.jwksUrl ?? defaultJwksUrl(options.issuer),
      ...(options.algorithms !== undefined && { algorithms: options.algorithms }),
      ...(options.clockToleranceSec !== undefined && { clockToleranceSec: options.clockToleranceSec }),
      ...(options.jwksCacheMaxAgeMs !== undefined && { cacheMaxAgeMs: options.jwksCacheMaxAgeMs }),
      ...(options.jwksRefetchCooldownMs !== undefined && { refetchCooldownMs: options.jwksRefetchCooldownMs }),
    });
  const requiredScopes = options.requiredScopes ?? ['node.connect'];
  const requireScope = options.requireScope ?? true;
  const authMethod = options.authMethod ?? 'oauth2';
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'authorizer', authMethod });
  const logRefusal = rateLimitedLog(logger);
  const binding: NodeBindingOptions = {
    ...(options.enforceTokenSubjectNodeIdentity !== undefined && {
      enforceTokenSubjectNodeIdentity: options.enforceTokenSubjectNodeIdentity,
    }),
    trustedClientScope: options.trustedClientScope ?? 'node.trusted',
  };
  const hasRequiredScope = (scopes: readonly string[]): boolean => !requireScope || requiredScopes.some((s) => scopes.includes(s));

  async function authenticateOrThrow(credentials: string | undefined): Promise<AuthorizationContext> {
    const token = bearerToken(credentials);
    if (token === undefined) throw new TokenVerificationError('missing', 'Invalid token: no bearer token');
    const { claims } = await verifier.verify(token, { audience: audiences });
    const scopes = grantedScopes(claims, { capabilities: true });
    if (!hasRequiredScope(scopes)) {
      throw new TokenVerificationError(
        'missing_scope',
        `Invalid token: it grants none of the required scopes (${requiredScopes.join(', ')})`,
      );
    }
    return Object.freeze({
      authenticated: true,
      authorized: true,
      principal: stringClaim(claims, 'sub') ?? stringClaim(claims, 'client_id') ?? 'unknown',
      claims,
      grantedScopes: scopes,
      authMethod,
    });
  }

  function attachViolation(attach: NodeAttachFrame, context: AuthorizationContext): string | undefined {
    if (!context.authenticated) return 'the link is not authenticated';
    const scopes = context.grantedScopes ?? [];
    if (!hasRequiredScope(scopes)) return `none of the required scopes (${requiredScopes.join(', ')})`;
    return nodeBindingViolation(attach, context.claims ?? {}, scopes, binding);
  }

  return {
    authenticateOrThrow,
    attachViolation,
    async authenticate(credentials) {
      try {
        return await authenticateOrThrow(credentials);
      } catch (error) {
        const failure = error instanceof TokenVerificationError ? error.failure : 'internal';
        logRefusal({ failure, err: (error as Error).message }, 'link refused: token not accepted');
        return undefined;
      }
    },
    authorizeAttach(attach, context) {
      const violation = attachViolation(attach, context);
      if (violation !== undefined)
        logRefusal({ systemId: attach.systemId, principal: context.principal, reason: violation }, 'attach refused');
      return Promise.resolve(violation === undefined);
    },
  };
}

/** `<issuer>/.well-known/jwks.json`. @throws ConfigError when the issuer is not an http(s) URL */
export function defaultJwksUrl(issuer: string, variable = 'FAME_JWKS_URL'): string {
  if (!/^https?:\/\//i.test(issuer)) {
    throw new ConfigError(`the issuer ${JSON.stringify(issuer)} is not a URL, so its JWKS location is unknown: set ${variable}`);
  }
  return `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
}
