/**
 * Security profiles (protocol-security §1.1–§1.2): named templates that expand to a policy and
 * an authorizer profile, selected the reference's way: `FAME_SECURITY_PROFILE` (default
 * `open`), `FAME_AUTHORIZATION_PROFILE` overriding the profile's authorizer profile, `${env:…}`
 * expressions (such as `FAME_DEFAULT_ENCRYPTION_LEVEL`) evaluated in the template. Templates use
 * the reference's config shape and snake_case keys, so a plug-in's profile written for the
 * reference fits.
 *
 * One registry holds both kinds of profile and refuses silent duplicates: security profile
 * templates and authorization profiles (admission-and-http §6.1), the latter as factories that
 * build an `Authorizer` from the environment, looked up by their canonical name (aliases such
 * as `oidc` → `oauth2` apply).
 */
import { canonicalAuthorizationProfile, DuplicateRegistrationError, PROFILE_ENV } from '@naylence/core';
import type { AuthorizerFactory } from '../authorization/profile-names.js';
import { builtInAuthorizerProfiles } from '../platform/authorizers.js';
import type { ProfileConfig, RegisterProfileOptions, SecurityProfiles } from '../plugins/plug-points.js';

export type { ProfileConfig, RegisterProfileOptions } from '../plugins/plug-points.js';

/** Base type of security profiles in the registry (the reference's name). */
export const SECURITY_PROFILE_BASE_TYPE = 'SecurityManagerFactory';

// The variables are core's (`PROFILE_ENV`), shared with the fail-closed check `resolveProfiles`.
export const ENV_SECURITY_PROFILE = PROFILE_ENV.security;
export const ENV_AUTHORIZATION_PROFILE = PROFILE_ENV.authorization;
export const ENV_DEFAULT_ENCRYPTION_LEVEL = 'FAME_DEFAULT_ENCRYPTION_LEVEL';
export const DEFAULT_SECURITY_PROFILE = 'open';

export class ProfileRegistry implements SecurityProfiles {
  readonly #profiles = new Map<string, { config: ProfileConfig; source: string | undefined }>();
  readonly #authorizers = new Map<string, { factory: AuthorizerFactory; source: string | undefined }>();

  /** @throws DuplicateRegistrationError when the name is taken and `allowOverride` is not set */
  register(baseType: string, name: string, config: ProfileConfig, options: RegisterProfileOptions = {}): void {
    const key = `${baseType}:${name.toLowerCase()}`;
    refuseDuplicate(this.#profiles.get(key), `${baseType} profile`, name.toLowerCase(), options);
    this.#profiles.set(key, { config: structuredClone(config), source: options.source });
  }

  get(baseType: string, name: string): ProfileConfig | undefined {
    const entry = this.#profiles.get(`${baseType}:${name.toLowerCase()}`);
    return entry && structuredClone(entry.config);
  }

  names(baseType: string): string[] {
    const prefix = `${baseType}:`;
    return [...this.#profiles.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  }

  /**
   * Registers an authorization profile under its canonical name (so `OAuth2_Gated` and
   * `oauth2-gated` are one name). @throws DuplicateRegistrationError as {@link register}
   */
  registerAuthorizer(name: string, factory: AuthorizerFactory, options: RegisterProfileOptions = {}): void {
    const canonical = canonicalAuthorizationProfile(name);
    refuseDuplicate(this.#authorizers.get(canonical), 'authorization profile', canonical, options);
    this.#authorizers.set(canonical, { factory, source: options.source });
  }

  /** The factory of an authorization profile, by any of its names; undefined when not registered. */
  authorizer(name: string | undefined): AuthorizerFactory | undefined {
    return this.#authorizers.get(canonicalAuthorizationProfile(name))?.factory;
  }

  authorizerNames(): string[] {
    return [...this.#authorizers.keys()];
  }
}

/**
 * The one duplicate rule of this package's registries (profiles, authorization profiles,
 * component factories): a taken name needs `allowOverride`.
 * @throws DuplicateRegistrationError
 */
export function refuseDuplicate(
  existing: { source: string | undefined } | undefined,
  what: string,
  name: string,
  options: RegisterProfileOptions,
): void {
  if (existing && !options.allowOverride)
    throw new DuplicateRegistrationError(`${what}${existing.source ? ` (from ${existing.source})` : ''}`, name);
}

const authorizer = (fallback: string) => ({ type: 'AuthorizationProfile', profile: `\${env:${ENV_AUTHORIZATION_PROFILE}:${fallback}}` });

function overlay(authorizerProfile: string): ProfileConfig {
  return {
    type: 'DefaultSecurityManager',
    security_policy: {
      type: 'DefaultSecurityPolicy',
      signing: {
        signing_material: 'raw-key',
        inbound: { signature_policy: 'required', unsigned_violation_action: 'nack', invalid_signature_action: 'nack' },
        response: { mirror_request_signing: true, always_sign_responses: false, sign_error_responses: true },
        outbound: { default_signing: true, sign_sensitive_operations: true, sign_if_recipient_expects: true },
      },
      encryption: {
        inbound: {
          allow_plaintext: true,
          allow_channel: false,
          allow_sealed: false,
          plaintext_violation_action: 'nack',
          channel_violation_action: 'nack',
          sealed_violation_action: 'nack',
        },
        response: { mirror_request_level: false, minimum_response_level: 'plaintext', escalate_sealed_responses: false },
        outbound: { default_level: 'plaintext', escalate_if_peer_supports: false, prefer_sealed_for_sensitive: false },
      },
    },
    authorizer: authorizer(authorizerProfile),
  };
}

function gated(authorizerProfile: string): ProfileConfig {
  return {
    type: 'DefaultSecurityManager',
    security_policy: {
      type: 'DefaultSecurityPolicy',
      signing: {
        inbound: { signature_policy: 'disabled', unsigned_violation_action: 'allow', invalid_signature_action: 'allow' },
        response: { mirror_request_signing: false, always_sign_responses: false, sign_error_responses: false },
        outbound: { default_signing: false, sign_sensitive_operations: false, sign_if_recipient_expects: false },
      },
      encryption: {
        inbound: {
          allow_plaintext: true,
          allow_channel: false,
          allow_sealed: false,
          plaintext_violation_action: 'allow',
          channel_violation_action: 'nack',
          sealed_violation_action: 'nack',
        },
        response: { mirror_request_level: true, minimum_response_level: 'plaintext', escalate_sealed_responses: false },
        outbound: { default_level: 'plaintext', escalate_if_peer_supports: false, prefer_sealed_for_sensitive: false },
      },
    },
    authorizer: authorizer(authorizerProfile),
  };
}

/** The five profiles built into both reference runtimes, with the table's values (§1.2). */
export const BUILT_IN_SECURITY_PROFILES: Readonly<Record<string, ProfileConfig>> = Object.freeze({
  open: { type: 'DefaultSecurityManager', security_policy: { type: 'NoSecurityPolicy' }, authorizer: authorizer('noop') },
  overlay: overlay('oauth2'),
  'overlay-callback': overlay('oauth2-callback'),
  gated: gated('oauth2-gated'),
  'gated-callback': gated('oauth2-callback'),
});

export interface CreateProfileRegistryOptions {
  /**
   * The authorization profiles to start with. Default: this platform's built-ins (on Node
   * `jwt`, `oauth2`, `oauth2-gated`, `oauth2-callback`, `policy-localfile`, `noop`; in the browser
   * entry `noop`).
   */
  readonly authorizers?: Readonly<Record<string, AuthorizerFactory>>;
}

/** A registry holding the five built-in security profiles and the built-in authorization profiles. */
export function createProfileRegistry(options: CreateProfileRegistryOptions = {}): ProfileRegistry {
  const registry = new ProfileRegistry();
  for (const [name, config] of Object.entries(BUILT_IN_SECURITY_PROFILES)) {
    registry.register(SECURITY_PROFILE_BASE_TYPE, name, config, { source: '@naylence/security' });
  }
  for (const [name, factory] of Object.entries(options.authorizers ?? builtInAuthorizerProfiles)) {
    registry.registerAuthorizer(name, factory, { source: '@naylence/security' });
  }
  return registry;
}

let globalRegistry: ProfileRegistry | undefined;

/** The process-wide registry plug-ins register into (created with the built-ins on first use). */
export function defaultProfileRegistry(): ProfileRegistry {
  return (globalRegistry ??= createProfileRegistry());
}

/** Registers a profile in the process-wide registry. @throws DuplicateRegistrationError */
export function registerProfile(baseType: string, name: string, config: ProfileConfig, options?: RegisterProfileOptions): void {
  defaultProfileRegistry().register(baseType, name, config, options);
}

export function getProfile(baseType: string, name: string): ProfileConfig | undefined {
  return defaultProfileRegistry().get(baseType, name);
}

/** Registers an authorization profile in the process-wide registry. @throws DuplicateRegistrationError */
export function registerAuthorizerProfile(name: string, factory: AuthorizerFactory, options?: RegisterProfileOptions): void {
  defaultProfileRegistry().registerAuthorizer(name, factory, options);
}
