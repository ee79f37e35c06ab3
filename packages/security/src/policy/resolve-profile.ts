/**
 * Turns a profile name (or the environment) into a policy, the authorizer the node must run
 * (built from the authorization profile in the same `ProfileRegistry`) and the components the
 * profile names (from the `SecurityComponentRegistry`, §7), failing closed: an unknown profile,
 * authorization profile or component type, an authorizer whose variables are missing, or a
 * requirement this node cannot meet (encryption, certificates) refuses the start with an error
 * naming the setting, instead of running with less security than asked for.
 */
import { canonicalAuthorizationProfile, ConfigError, NotRegisteredError, type Authorizer } from '@naylence/core';
import type { AuthorizationProfileContext } from '../authorization/profile-names.js';
import { processEnv, type Environment } from '../config-values.js';
import { DefaultSecurityPolicy } from './default-security-policy.js';
import { evaluateEnvExpressions } from './env-expressions.js';
import { NoSecurityPolicy } from './no-security-policy.js';
import type { SecurityPolicyConfig } from './policy-config.js';
import {
  DEFAULT_SECURITY_PROFILE,
  ENV_AUTHORIZATION_PROFILE,
  ENV_SECURITY_PROFILE,
  SECURITY_PROFILE_BASE_TYPE,
  defaultProfileRegistry,
  type ProfileConfig,
  type ProfileRegistry,
} from './profiles.js';
import type { SecurityPolicy, SecurityRequirements } from './security-policy.js';
import {
  COMPONENT_CONFIG_KEYS,
  defaultComponentRegistry,
  type ComponentRef,
  type SecurityComponentRegistry,
  type SecurityComponentType,
} from '../plugins/component-registry.js';

export interface ResolveSecurityProfileOptions {
  /** The profile; default: `FAME_SECURITY_PROFILE` from `env`, else `open`. */
  readonly profile?: string;
  /**
   * Variables for the selection, the `${env:…}` expressions and the authorizer
   * (`FAME_JWT_TRUSTED_ISSUER`, …); default `process.env` where it exists.
   */
  readonly env?: Environment;
  /** Default: the process-wide registry. */
  readonly registry?: ProfileRegistry;
  /**
   * Build the profile's authorizer (default `true`). A node that accepts no links (a client, a
   * browser node) passes `false`: the authorization profile is named in the result but not
   * built, so its variables are not required.
   */
  readonly buildAuthorizer?: boolean;
  /** What the authorizer may read besides `env`: the node's physical path, a YAML parser, a logger. */
  readonly authorizerContext?: Omit<AuthorizationProfileContext, 'env'>;
  /** What this node can do beyond signing; a profile requiring more is refused. Default: nothing. */
  readonly supports?: { readonly encryption?: boolean; readonly certificates?: boolean };
  /** Where the component types a profile names must be registered; default the process-wide registry. */
  readonly components?: SecurityComponentRegistry;
}

export interface ResolvedSecurityProfile {
  /** Lower-cased profile name. */
  readonly profile: string;
  /** The template with env expressions evaluated. */
  readonly config: ProfileConfig;
  readonly policy: SecurityPolicy;
  readonly requirements: SecurityRequirements;
  /** The canonical name of the authorization profile (`noop`, `oauth2`, `oauth2-gated`, …). */
  readonly authorizerProfile: string;
  /** The authorizer built from that profile; undefined only with `buildAuthorizer: false`. */
  readonly authorizer: Authorizer | undefined;
  /**
   * Components the profile names (`envelope_verifier: {type, …}` and the like, §7), each
   * registered in the component registry; the node builds these instead of its defaults.
   */
  readonly components: Partial<Record<SecurityComponentType, ComponentRef>>;
}

function policyFrom(config: ProfileConfig, profile: string): SecurityPolicy {
  const section = config.security_policy as (SecurityPolicyConfig & { type?: unknown }) | undefined;
  const type = section?.type ?? 'DefaultSecurityPolicy';
  if (type === 'NoSecurityPolicy') return new NoSecurityPolicy();
  if (type === 'DefaultSecurityPolicy') return new DefaultSecurityPolicy(section);
  throw new ConfigError(`security profile ${JSON.stringify(profile)}: security_policy.type ${JSON.stringify(type)} is not supported`);
}

/** The authorization profile a template names (`{type: "AuthorizationProfile", profile}`), canonical. */
function authorizerProfileFrom(config: ProfileConfig, profile: string): string {
  const section = config.authorizer as { type?: unknown; profile?: unknown; profile_name?: unknown; profileName?: unknown } | undefined;
  if (!section) return 'noop';
  if (section.type !== 'AuthorizationProfile') {
    throw new ConfigError(
      `security profile ${JSON.stringify(profile)}: authorizer ${JSON.stringify(section.type)} is not supported; ` +
        `name an authorization profile ({"type": "AuthorizationProfile", "profile": …})`,
    );
  }
  const name = section.profile ?? section.profile_name ?? section.profileName;
  if (name !== undefined && typeof name !== 'string')
    throw new ConfigError(`security profile ${JSON.stringify(profile)}: authorizer.profile must be a string`);
  return canonicalAuthorizationProfile(name);
}

function buildAuthorizer(registry: ProfileRegistry, name: string, profile: string, context: AuthorizationProfileContext): Authorizer {
  const factory = registry.authorizer(name);
  if (factory === undefined)
    throw new NotRegisteredError(
      `authorization profile (${ENV_AUTHORIZATION_PROFILE}) of security profile ${JSON.stringify(profile)}`,
      name,
      registry.authorizerNames(),
    );
  try {
    return factory(context);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Name both settings: the variable the factory missed and how this authorizer was chosen.
    throw new ConfigError(
      `security profile ${JSON.stringify(profile)}, authorization profile ${JSON.stringify(name)} (${ENV_AUTHORIZATION_PROFILE}): ` +
        `${error.message}; refusing to start`,
      { setting: error.setting ?? ENV_AUTHORIZATION_PROFILE },
    );
  }
}

function componentsFrom(
  config: ProfileConfig,
  profile: string,
  registry: SecurityComponentRegistry,
): Partial<Record<SecurityComponentType, ComponentRef>> {
  const components: Partial<Record<SecurityComponentType, ComponentRef>> = {};
  for (const [key, baseType] of Object.entries(COMPONENT_CONFIG_KEYS)) {
    const section = config[key];
    if (section === undefined || section === null) continue;
    const { type, ...rest } = section as { type?: unknown };
    if (typeof section !== 'object' || typeof type !== 'string') {
      throw new ConfigError(`security profile ${JSON.stringify(profile)}: ${key} needs a "type"`);
    }
    if (!registry.has(baseType, type)) {
      throw new ConfigError(
        `security profile ${JSON.stringify(profile)}: ${key} type ${JSON.stringify(type)} is not registered ` +
          `(registered: ${registry.types(baseType).join(', ') || 'none'}; is its plug-in in FAME_PLUGINS?); refusing to start`,
      );
    }
    components[baseType] = { type, config: rest };
  }
  return components;
}

/**
 * The profile `options` ask for, with its policy and (unless `buildAuthorizer: false`) its authorizer.
 * @throws NotRegisteredError (unknown security or authorization profile), ConfigError (invalid or unenforceable setting)
 */
export function resolveSecurityProfile(
  options?: ResolveSecurityProfileOptions & { readonly buildAuthorizer?: true },
): ResolvedSecurityProfile & { readonly authorizer: Authorizer };
export function resolveSecurityProfile(options: ResolveSecurityProfileOptions): ResolvedSecurityProfile;
export function resolveSecurityProfile(options: ResolveSecurityProfileOptions = {}): ResolvedSecurityProfile {
  const env = options.env ?? processEnv();
  const registry = options.registry ?? defaultProfileRegistry();
  const requested = options.profile ?? env[ENV_SECURITY_PROFILE];
  const profile = (requested === undefined || requested.trim() === '' ? DEFAULT_SECURITY_PROFILE : requested).trim().toLowerCase();
  const template = registry.get(SECURITY_PROFILE_BASE_TYPE, profile);
  if (!template)
    throw new NotRegisteredError(`security profile (${ENV_SECURITY_PROFILE})`, profile, registry.names(SECURITY_PROFILE_BASE_TYPE));
  const config = evaluateEnvExpressions(template, env);
  const policy = policyFrom(config, profile);
  const requirements = policy.requirements();
  const authorizerProfile = authorizerProfileFrom(config, profile);
  const components = componentsFrom(config, profile, options.components ?? defaultComponentRegistry());

  if ((requirements.encryptionRequired || requirements.decryptionRequired) && !options.supports?.encryption) {
    throw new ConfigError(
      `security profile ${JSON.stringify(profile)} requires envelope encryption, which this node does not support; refusing to start`,
    );
  }
  // A profile that brings its own certificate-aware verifier and key validator (a plug-in's)
  // needs nothing more from the node.
  const bringsCertificates = components.EnvelopeVerifier !== undefined && components.KeyValidator !== undefined;
  if (requirements.requireCertificates && !options.supports?.certificates && !bringsCertificates) {
    throw new ConfigError(
      `security profile ${JSON.stringify(profile)} requires X.509 signing material, which this node does not support; refusing to start`,
    );
  }
  const authorizer =
    options.buildAuthorizer === false
      ? undefined
      : buildAuthorizer(registry, authorizerProfile, profile, { ...options.authorizerContext, env });
  return { profile, config, policy, requirements, authorizerProfile, authorizer, components };
}
