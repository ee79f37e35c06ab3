/**
 * Factories of security components by base type and type name (protocol-security §7: the
 * reference's factory registry, keyed by (base type, type key)). A profile names the components
 * it needs (`envelope_verifier: {type: "X509EnvelopeVerifier", …}`) and the node builds them
 * here; plug-ins register their factories. Like the profile registry, a name is never silently
 * taken twice: registering it again needs `allowOverride`.
 *
 * Authorizers are not components here: a profile names an authorization profile, which lives in
 * the `ProfileRegistry` (`registerAuthorizer`) and which `resolveSecurityProfile` builds.
 */
import { NotRegisteredError } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import type { EncryptionManager } from '../encryption/encryption-manager.js';
import type { SecureChannelManager } from '../encryption/secure-channel-manager.js';
import type { NodeKeys } from '../keys/node-keys.js';
import type { Environment } from '../config-values.js';
import { refuseDuplicate, type RegisterProfileOptions } from '../policy/profiles.js';
import type { SecurityPolicy } from '../policy/security-policy.js';
import type { CertificateManager, EnvelopeSignerLike, EnvelopeVerifierLike, KeyManager, KeyValidator } from './plug-points.js';

/** Every kind of component, by base type. */
export interface SecurityComponents {
  EnvelopeSigner: EnvelopeSignerLike;
  EnvelopeVerifier: EnvelopeVerifierLike;
  EncryptionManager: EncryptionManager;
  SecureChannelManager: SecureChannelManager;
  KeyManager: KeyManager;
  KeyValidator: KeyValidator;
  CertificateManager: CertificateManager;
}

export type SecurityComponentType = keyof SecurityComponents;

/** Profile config keys (the reference's, snake_case) → base type. */
export const COMPONENT_CONFIG_KEYS: Readonly<Record<string, SecurityComponentType>> = Object.freeze({
  envelope_signer: 'EnvelopeSigner',
  envelope_verifier: 'EnvelopeVerifier',
  encryption_manager: 'EncryptionManager',
  secure_channel_manager: 'SecureChannelManager',
  key_manager: 'KeyManager',
  key_validator: 'KeyValidator',
  certificate_manager: 'CertificateManager',
});

/** A component as a profile names it: its type and the rest of its config section. */
export interface ComponentRef {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** What a factory gets. */
export interface SecurityComponentContext {
  readonly provider: CryptoProvider;
  /** For `FAME_*` settings the component reads (e.g. `FAME_CA_CERTS`). */
  readonly env: Environment;
  readonly policy: SecurityPolicy;
  /** The component's config section from the profile, env expressions evaluated. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Components built before this one (e.g. the key validator, for the verifier). */
  readonly components: Partial<SecurityComponents>;
  /** The node's key store and keys, when the node has them. */
  readonly keyStore?: KeyManager;
  readonly nodeKeys?: NodeKeys;
}

export type SecurityComponentFactory<K extends SecurityComponentType> = (context: SecurityComponentContext) => SecurityComponents[K];

export class SecurityComponentRegistry {
  readonly #factories = new Map<string, { factory: SecurityComponentFactory<SecurityComponentType>; source: string | undefined }>();

  /** @throws DuplicateRegistrationError when the type is taken and `allowOverride` is not set */
  register<K extends SecurityComponentType>(
    baseType: K,
    type: string,
    factory: SecurityComponentFactory<K>,
    options: RegisterProfileOptions = {},
  ): void {
    const key = `${baseType}:${type}`;
    refuseDuplicate(this.#factories.get(key), `${baseType} factory`, type, options);
    this.#factories.set(key, { factory: factory, source: options.source });
  }

  has(baseType: SecurityComponentType, type: string): boolean {
    return this.#factories.has(`${baseType}:${type}`);
  }

  types(baseType: SecurityComponentType): string[] {
    const prefix = `${baseType}:`;
    return [...this.#factories.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  }

  /** @throws NotRegisteredError listing the registered types */
  create<K extends SecurityComponentType>(
    baseType: K,
    ref: ComponentRef,
    context: Omit<SecurityComponentContext, 'config'>,
  ): SecurityComponents[K] {
    const entry = this.#factories.get(`${baseType}:${ref.type}`);
    if (!entry) throw new NotRegisteredError(`${baseType} type`, ref.type, this.types(baseType));
    return entry.factory({ ...context, config: ref.config }) as SecurityComponents[K];
  }
}

let globalComponents: SecurityComponentRegistry | undefined;

/** The process-wide component registry plug-ins register into. */
export function defaultComponentRegistry(): SecurityComponentRegistry {
  return (globalComponents ??= new SecurityComponentRegistry());
}
