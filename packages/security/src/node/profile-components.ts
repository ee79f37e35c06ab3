/**
 * The components a profile names (protocol-security §7: `key_validator`, `envelope_verifier`,
 * `certificate_manager`, `secure_channel_manager`, each `{type, …}`), built from the component
 * registry a plug-in registered them in, in dependency order: each factory sees the components
 * built before it, the node's keys and key store. Kinds a node cannot take from a plug-in yet
 * (`envelope_signer`, `encryption_manager`, `key_manager`) refuse the start, naming the setting.
 */
import { ConfigError } from '@naylence/core';
import type { Environment } from '../config-values.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { KeyStore } from '../keys/key-store.js';
import type { NodeKeys } from '../keys/node-keys.js';
import type { ResolvedSecurityProfile } from '../policy/resolve-profile.js';
import {
  COMPONENT_CONFIG_KEYS,
  defaultComponentRegistry,
  type SecurityComponentRegistry,
  type SecurityComponents,
  type SecurityComponentType,
} from '../plugins/component-registry.js';

/** What a node builds from a profile's component sections. */
const BUILDABLE: ReadonlySet<SecurityComponentType> = new Set([
  'KeyValidator',
  'EnvelopeVerifier',
  'CertificateManager',
  'SecureChannelManager',
]);

/**
 * @throws ConfigError when the profile names a kind of component the node does not take from a plug-in
 */
export function refuseUnbuildableComponents(resolved: ResolvedSecurityProfile): void {
  const refused = Object.entries(COMPONENT_CONFIG_KEYS).filter(
    ([, kind]) => resolved.components[kind] !== undefined && !BUILDABLE.has(kind),
  );
  if (refused.length === 0) return;
  const keys = refused.map(([key]) => key);
  throw new ConfigError(
    `security profile ${JSON.stringify(resolved.profile)} names components (${keys.join(', ')}) that the node's security does not build yet; refusing to start`,
    { setting: keys[0]! },
  );
}

export interface ProfileComponentsOptions {
  readonly provider: CryptoProvider;
  readonly env: Environment;
  readonly registry?: SecurityComponentRegistry;
  readonly nodeKeys: NodeKeys;
}

/** Builds a profile's named components one kind at a time, each seeing those built before. */
export class ProfileComponents {
  readonly #resolved: ResolvedSecurityProfile;
  readonly #options: ProfileComponentsOptions;
  readonly #built: Partial<SecurityComponents> = {};
  /** Set once the store exists (the verifier and others look keys up in it). */
  keyStore: KeyStore | undefined;

  constructor(resolved: ResolvedSecurityProfile, options: ProfileComponentsOptions) {
    this.#resolved = resolved;
    this.#options = options;
  }

  /** The component of `kind` the profile names, built; undefined when it names none (use the default). */
  build<K extends SecurityComponentType>(kind: K): SecurityComponents[K] | undefined {
    const ref = this.#resolved.components[kind];
    if (ref === undefined) return undefined;
    const { provider, env, nodeKeys } = this.#options;
    const component = (this.#options.registry ?? defaultComponentRegistry()).create(kind, ref, {
      provider,
      env,
      policy: this.#resolved.policy,
      components: { ...this.#built },
      nodeKeys,
      ...(this.keyStore !== undefined && { keyStore: this.keyStore }),
    });
    this.#built[kind] = component;
    return component;
  }
}
