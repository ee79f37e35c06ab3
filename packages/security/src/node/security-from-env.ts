/**
 * A node's security from the reference's environment, in one call: `FAME_SECURITY_PROFILE`
 * (default `open`), `FAME_AUTHORIZATION_PROFILE`, and the variables of the authorizer it names
 * (`FAME_JWT_TRUSTED_ISSUER`, `FAME_JWT_AUDIENCE`, `FAME_JWT_ALGORITHM`, `FAME_JWKS_URL`,
 * `FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY`, `FAME_TRUSTED_CLIENT_SCOPE`, `FAME_HMAC_SECRET`, …).
 * Fails closed: an unknown profile, a missing variable or a requirement this node cannot meet
 * stops the start with an error naming the setting.
 */
import type { Environment } from '@naylence/core';
import type { ProfileRegistry } from '../policy/profiles.js';
import { resolveSecurityProfile } from '../policy/resolve-profile.js';
import type { SecurityComponentRegistry } from '../plugins/component-registry.js';
import { createNodeSecurity, type NodeSecurityOptions, type ProfileNodeSecurity } from './node-security.js';

export interface NodeSecurityFromEnvOptions extends Omit<NodeSecurityOptions, 'profile'> {
  /** Default `process.env` where there is one. */
  readonly env?: Environment;
  /** The security profile, instead of `FAME_SECURITY_PROFILE` (the fabric checks they agree). */
  readonly profile?: string;
  /**
   * Whether this node accepts links (a sentinel): then the authorizer is built, and its
   * variables are required. A client or agent passes false (default): it names the
   * authorization profile without building it, and refuses any link offered to it.
   */
  readonly acceptsLinks?: boolean;
  /** The node's physical path, when an authorizer checks it (the `jwt` profile's audience). */
  readonly physicalPath?: string;
  /** Parses YAML policy files (`policy-localfile`). */
  readonly parseYaml?: (text: string) => unknown;
  readonly registry?: ProfileRegistry;
  readonly components?: SecurityComponentRegistry;
}

/**
 * The `NodeSecurity` the environment asks for.
 * @throws NotRegisteredError (unknown profile), ConfigError (missing or invalid setting, or a
 *   requirement the node cannot meet), each naming the setting
 *
 * @example
 * ```ts
 * import { nodeSecurityFromEnv } from '@naylence/security';
 *
 * const security = nodeSecurityFromEnv({ env: { FAME_SECURITY_PROFILE: 'overlay' } });
 * console.log(security.profile, security.authorizerProfile, security.enforces.security); // overlay oauth2 [ 'overlay' ]
 * ```
 */
export function nodeSecurityFromEnv(options: NodeSecurityFromEnvOptions = {}): ProfileNodeSecurity {
  const { env, profile, acceptsLinks, physicalPath, parseYaml, registry, components, ...rest } = options;
  const resolved = resolveSecurityProfile({
    ...(env !== undefined && { env }),
    ...(profile !== undefined && { profile }),
    ...(registry !== undefined && { registry }),
    ...(components !== undefined && { components }),
    buildAuthorizer: acceptsLinks ?? false,
    // `createNodeSecurity` builds the encryption managers; certificates still need a plug-in's components.
    supports: { encryption: true },
    authorizerContext: {
      ...(physicalPath !== undefined && { physicalPath }),
      ...(parseYaml !== undefined && { parseYaml }),
      ...(rest.logger !== undefined && { logger: rest.logger }),
    },
  });
  return createNodeSecurity({
    ...rest,
    profile: resolved,
    ...(env !== undefined && { env }),
    ...(components !== undefined && { components }),
  });
}
