/**
 * The built-in authorization profiles (admission-and-http §6.1) as factories that read the
 * reference's environment variables. They seed the profile registry on Node
 * (`src/platform/authorizers.ts`); `jose` and `node:fs` make them Node-only.
 */
import { ConfigError } from '@naylence/core';
import { envBoolean, envInteger, envString, processEnv, type Environment } from '../config-values.js';
import { DEFAULT_JWKS_ALGORITHMS, asymmetricAllowList, parseJwtAlgorithm } from '../jwt/algorithms.js';
import { createJwksVerifier } from '../jwt/jwks-verifier.js';
import { DEFAULT_REVERSE_AUTH_AUDIENCE, DEFAULT_REVERSE_AUTH_ISSUER, oauth2CallbackAuthorizer } from './callback-authorizer.js';
import { noopAuthorizer } from './noop-authorizer.js';
import { defaultJwksUrl, oauth2Authorizer } from './oauth2-authorizer.js';
import { loadPolicyFile, policyAuthorizer } from './policy/policy-authorizer.js';
import type { AuthorizationProfileContext, AuthorizationProfileName, AuthorizerFactory } from './profile-names.js';

function envOf(context: AuthorizationProfileContext | undefined): Environment {
  return context?.env ?? processEnv();
}

function requireEnv(env: Environment, name: string, profile: string): string {
  const value = envString(env, name);
  if (value === undefined) throw new ConfigError(`${name} is required by the ${profile} authorization profile`, { setting: name });
  return value;
}

/** The settings of the `oauth2` family from the reference's variables. */
function oauth2Settings(env: Environment, profile: string) {
  const issuer = requireEnv(env, 'FAME_JWT_TRUSTED_ISSUER', profile);
  const audience = requireEnv(env, 'FAME_JWT_AUDIENCE', profile);
  // The reference's default is RS256 although its token servers sign with EdDSA (pitfall P2).
  const algorithm = parseJwtAlgorithm(envString(env, 'FAME_JWT_ALGORITHM') ?? 'RS256', 'FAME_JWT_ALGORITHM');
  return {
    issuer,
    audience,
    algorithms: asymmetricAllowList([algorithm], 'FAME_JWT_ALGORITHM'),
    jwksUrl: envString(env, 'FAME_JWKS_URL') ?? defaultJwksUrl(issuer),
    clockToleranceSec: envInteger(env, 'FAME_JWT_CLOCK_SKEW_SECONDS', 30),
  };
}

function jwksSettings(env: Environment, profile: string) {
  return {
    issuer: requireEnv(env, 'FAME_JWT_TRUSTED_ISSUER', profile),
    jwksUrl: requireEnv(env, 'FAME_JWKS_URL', profile),
    clockToleranceSec: envInteger(env, 'FAME_JWT_CLOCK_SKEW_SECONDS', 30),
  };
}

const withLogger = (context: AuthorizationProfileContext | undefined) => (context?.logger !== undefined ? { logger: context.logger } : {});

/**
 * Every authorization profile of this package, name → factory. A factory reads the reference's
 * environment variables (or `context.env`) and throws a ConfigError naming the variable when a
 * required one is missing: a node asked to be gated refuses to start rather than run open.
 *
 * | profile | variables (default) |
 * | --- | --- |
 * | `noop` | – |
 * | `jwt` | `FAME_JWT_TRUSTED_ISSUER`, `FAME_JWKS_URL` (both required); audience = `context.physicalPath` (required) |
 * | `oauth2` | `FAME_JWT_TRUSTED_ISSUER`, `FAME_JWT_AUDIENCE` (required), `FAME_JWT_ALGORITHM` (`RS256`), `FAME_JWKS_URL` (`<issuer>/.well-known/jwks.json`) |
 * | `oauth2-gated` | as `oauth2`, plus `FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY` (`false`), `FAME_TRUSTED_CLIENT_SCOPE` (`node.trusted`) |
 * | `oauth2-callback` | `FAME_HMAC_SECRET` (required, ≥ 32 bytes), `FAME_JWT_REVERSE_AUTH_TRUSTED_ISSUER` (`reverse-auth.naylence.ai`), `FAME_JWT_REVERSE_AUTH_AUDIENCE` (`dev.naylence.ai`) |
 * | `policy-localfile` | `FAME_AUTH_POLICY_PATH` (`./auth-policy.yaml`), `FAME_AUTH_POLICY_FORMAT` (`auto`), `FAME_JWT_TRUSTED_ISSUER`, `FAME_JWKS_URL` (required), `FAME_JWT_AUDIENCE` (else `context.physicalPath`) |
 *
 * All JWT profiles also read `FAME_JWT_CLOCK_SKEW_SECONDS` (ours; default 30).
 */
export const authorizationProfiles: Readonly<Record<AuthorizationProfileName, AuthorizerFactory>> = Object.freeze({
  noop: () => noopAuthorizer(),

  jwt: (context) => {
    const settings = jwksSettings(envOf(context), 'jwt');
    const audience = context?.physicalPath;
    if (audience === undefined || audience === '')
      throw new ConfigError("the jwt authorization profile checks aud = the node's physical path, which was not given");
    return oauth2Authorizer({
      ...settings,
      audience,
      algorithms: DEFAULT_JWKS_ALGORITHMS,
      requireScope: false,
      authMethod: 'jwt',
      ...withLogger(context),
    });
  },

  oauth2: (context) => oauth2Authorizer({ ...oauth2Settings(envOf(context), 'oauth2'), ...withLogger(context) }),

  'oauth2-gated': (context) => {
    const env = envOf(context);
    return oauth2Authorizer({
      ...oauth2Settings(env, 'oauth2-gated'),
      enforceTokenSubjectNodeIdentity: envBoolean(env, 'FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY', false),
      trustedClientScope: envString(env, 'FAME_TRUSTED_CLIENT_SCOPE') ?? 'node.trusted',
      ...withLogger(context),
    });
  },

  'oauth2-callback': (context) => {
    const env = envOf(context);
    return oauth2CallbackAuthorizer({
      secret: requireEnv(env, 'FAME_HMAC_SECRET', 'oauth2-callback'),
      issuer: envString(env, 'FAME_JWT_REVERSE_AUTH_TRUSTED_ISSUER') ?? DEFAULT_REVERSE_AUTH_ISSUER,
      audience: envString(env, 'FAME_JWT_REVERSE_AUTH_AUDIENCE') ?? DEFAULT_REVERSE_AUTH_AUDIENCE,
      clockToleranceSec: envInteger(env, 'FAME_JWT_CLOCK_SKEW_SECONDS', 30),
      ...withLogger(context),
    });
  },

  'policy-localfile': (context) => {
    const env = envOf(context);
    const audience = envString(env, 'FAME_JWT_AUDIENCE') ?? context?.physicalPath;
    if (audience === undefined) throw new ConfigError('FAME_JWT_AUDIENCE is required by the policy-localfile authorization profile');
    const format = (envString(env, 'FAME_AUTH_POLICY_FORMAT') ?? 'auto').toLowerCase();
    if (format !== 'auto' && format !== 'json' && format !== 'yaml')
      throw new ConfigError(`FAME_AUTH_POLICY_FORMAT: expected auto, json or yaml, got ${JSON.stringify(format)}`);
    const policy = loadPolicyFile(envString(env, 'FAME_AUTH_POLICY_PATH') ?? './auth-policy.yaml', {
      format,
      ...(context?.parseYaml !== undefined && { parseYaml: context.parseYaml }),
    });
    const verifier = createJwksVerifier({ ...jwksSettings(env, 'policy-localfile'), audience });
    return policyAuthorizer({ verifier, policy, ...withLogger(context) });
  },
});
