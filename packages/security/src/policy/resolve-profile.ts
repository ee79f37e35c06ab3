/**
 * Turns a profile name (or the environment) into a policy and the name of the authorizer
 * profile the node must build, failing closed: an unknown profile, an unavailable authorizer
 * or a requirement this node cannot meet (encryption, certificates) is a `ConfigError` naming
 * the setting, so the node refuses to start instead of running with less security.
 */
import { ConfigError, NotRegisteredError } from '@naylence/core';
import { DefaultSecurityPolicy } from './default-security-policy.js';
import { evaluateEnvExpressions, type Environment } from './env-expressions.js';
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
  /** Variables for the selection and `${env:…}` expressions; default `process.env` where it exists. */
  readonly env?: Environment;
  /** Default: the process-wide registry. */
  readonly registry?: ProfileRegistry;
  /**
   * Authorizer profiles this node can build (e.g. `['noop']`). When given, a profile needing
   * another one is refused. Leave it out only to inspect a profile.
   */
  readonly availableAuthorizers?: readonly string[];
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
  /** The authorizer profile to build (`noop`, `oauth2`, …): the composition root resolves it. */
  readonly authorizer: string;
  /**
   * Components the profile names (`envelope_verifier: {type, …}` and the like, §7), each
   * registered in the component registry; the node builds these instead of its defaults.
   */
  readonly components: Partial<Record<SecurityComponentType, ComponentRef>>;
}

function processEnv(): Environment {
  return (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
}

function policyFrom(config: ProfileConfig, profile: string): SecurityPolicy {
  const section = config.security_policy as (SecurityPolicyConfig & { type?: unknown }) | undefined;
  const type = section?.type ?? 'DefaultSecurityPolicy';
  if (type === 'NoSecurityPolicy') return new NoSecurityPolicy();
  if (type === 'DefaultSecurityPolicy') return new DefaultSecurityPolicy(section);
  throw new ConfigError(`security profile ${JSON.stringify(profile)}: security_policy.type ${JSON.stringify(type)} is not supported`);
}

function authorizerFrom(config: ProfileConfig, profile: string): string {
  const section = config.authorizer as { type?: unknown; profile?: unknown; profile_name?: unknown; profileName?: unknown } | undefined;
  if (!section) return 'noop';
  if (section.type === 'AuthorizationProfile') {
    const name = section.profile ?? section.profile_name ?? section.profileName;
    if (typeof name !== 'string') throw new ConfigError(`security profile ${JSON.stringify(profile)}: authorizer.profile must be a string`);
    return name.trim().toLowerCase();
  }
  if (typeof section.type === 'string') return section.type;
  throw new ConfigError(`security profile ${JSON.stringify(profile)}: authorizer has no type`);
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

/** @throws NotRegisteredError (unknown profile), ConfigError (invalid or unenforceable setting) */
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
  const authorizer = authorizerFrom(config, profile);
  const components = componentsFrom(config, profile, options.components ?? defaultComponentRegistry());

  const available = options.availableAuthorizers;
  if (available && !available.includes(authorizer)) {
    throw new ConfigError(
      `security profile ${JSON.stringify(profile)} needs authorizer profile ${JSON.stringify(authorizer)} (${ENV_AUTHORIZATION_PROFILE}), ` +
        `which is not available here (available: ${available.join(', ') || 'none'}); refusing to start`,
    );
  }
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
  return { profile, config, policy, requirements, authorizer, components };
}
