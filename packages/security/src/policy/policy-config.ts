/**
 * Configuration of `DefaultSecurityPolicy` (protocol-security §1.2): the enums, the field
 * defaults a partial section inherits, the "development" presets used when a whole section is
 * absent, and normalization of the reference's snake_case config keys. Invalid values are a
 * `ConfigError` naming the field: a node never guesses a security setting.
 */
import { ConfigError } from '@naylence/core';

export const CRYPTO_LEVELS = ['plaintext', 'channel', 'sealed'] as const;
export type CryptoLevel = (typeof CRYPTO_LEVELS)[number];
export const SECURITY_ACTIONS = ['allow', 'reject', 'nack'] as const;
export type SecurityAction = (typeof SECURITY_ACTIONS)[number];
export const SIGNATURE_POLICIES = ['required', 'optional', 'disabled', 'forbidden'] as const;
export type SignaturePolicy = (typeof SIGNATURE_POLICIES)[number];
export const SIGNING_MATERIALS = ['raw-key', 'x509-chain'] as const;
export type SigningMaterial = (typeof SIGNING_MATERIALS)[number];

/** `a - b` in the order plaintext < channel < sealed. */
export function compareCryptoLevels(a: CryptoLevel, b: CryptoLevel): number {
  return CRYPTO_LEVELS.indexOf(a) - CRYPTO_LEVELS.indexOf(b);
}

export interface SigningConfig {
  readonly inbound: {
    readonly signaturePolicy: SignaturePolicy;
    readonly unsignedViolationAction: SecurityAction;
    readonly invalidSignatureAction: SecurityAction;
    readonly missingKeyAction: SecurityAction;
  };
  readonly response: {
    readonly mirrorRequestSigning: boolean;
    readonly alwaysSignResponses: boolean;
    readonly signErrorResponses: boolean;
  };
  readonly outbound: {
    readonly defaultSigning: boolean;
    readonly signSensitiveOperations: boolean;
    readonly signIfRecipientExpects: boolean;
  };
  readonly signingMaterial: SigningMaterial;
  readonly validateCertNameConstraints: boolean;
  readonly requireCertSidMatch: boolean;
  readonly requireCertLogicalMatch: boolean;
}

export interface EncryptionConfig {
  readonly supportedChannelAlgorithms: readonly string[];
  readonly supportedSealedAlgorithms: readonly string[];
  readonly inbound: {
    readonly allowPlaintext: boolean;
    readonly allowChannel: boolean;
    readonly allowSealed: boolean;
    readonly plaintextViolationAction: SecurityAction;
    readonly channelViolationAction: SecurityAction;
    readonly sealedViolationAction: SecurityAction;
  };
  readonly response: {
    readonly mirrorRequestLevel: boolean;
    readonly minimumResponseLevel: CryptoLevel;
    readonly escalateSealedResponses: boolean;
  };
  readonly outbound: {
    readonly defaultLevel: CryptoLevel;
    readonly escalateIfPeerSupports: boolean;
    readonly preferSealedForSensitive: boolean;
  };
}

type DeepPartial<T> = { readonly [K in keyof T]?: T[K] extends readonly string[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A policy config as written by hand or in a profile (camelCase or the reference's snake_case keys). */
export interface SecurityPolicyConfig {
  readonly signing?: DeepPartial<SigningConfig> | Record<string, unknown>;
  readonly encryption?: DeepPartial<EncryptionConfig> | Record<string, unknown>;
}

/** Field defaults of a section that is present but partial (§1.2). */
export const SIGNING_DEFAULTS: SigningConfig = {
  inbound: { signaturePolicy: 'optional', unsignedViolationAction: 'allow', invalidSignatureAction: 'reject', missingKeyAction: 'nack' },
  response: { mirrorRequestSigning: false, alwaysSignResponses: false, signErrorResponses: false },
  outbound: { defaultSigning: false, signSensitiveOperations: false, signIfRecipientExpects: true },
  signingMaterial: 'raw-key',
  validateCertNameConstraints: true,
  requireCertSidMatch: false,
  requireCertLogicalMatch: false,
};

export const ENCRYPTION_DEFAULTS: EncryptionConfig = {
  supportedChannelAlgorithms: ['chacha20-poly1305-channel'],
  supportedSealedAlgorithms: ['chacha20-poly1305', 'aes-256-gcm', 'ECDH-ES+A256GCM'],
  inbound: {
    allowPlaintext: true,
    allowChannel: true,
    allowSealed: true,
    plaintextViolationAction: 'nack',
    channelViolationAction: 'nack',
    sealedViolationAction: 'nack',
  },
  response: { mirrorRequestLevel: true, minimumResponseLevel: 'channel', escalateSealedResponses: false },
  outbound: { defaultLevel: 'channel', escalateIfPeerSupports: true, preferSealedForSensitive: true },
};

/** The section used when `signing` is absent altogether (the reference's `forDevelopment()`). */
export const SIGNING_DEVELOPMENT: SigningConfig = {
  ...SIGNING_DEFAULTS,
  inbound: { signaturePolicy: 'disabled', unsignedViolationAction: 'allow', invalidSignatureAction: 'reject', missingKeyAction: 'allow' },
  outbound: { defaultSigning: false, signSensitiveOperations: false, signIfRecipientExpects: false },
};

export const ENCRYPTION_DEVELOPMENT: EncryptionConfig = {
  ...ENCRYPTION_DEFAULTS,
  inbound: { ...ENCRYPTION_DEFAULTS.inbound, allowChannel: false, allowSealed: false, plaintextViolationAction: 'allow' },
  response: { mirrorRequestLevel: false, minimumResponseLevel: 'plaintext', escalateSealedResponses: false },
  outbound: { defaultLevel: 'plaintext', escalateIfPeerSupports: false, preferSealedForSensitive: false },
};

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The member `key` of `section`, given in camelCase or snake_case (camelCase wins). */
function read(section: Record<string, unknown>, key: string): unknown {
  if (section[key] !== undefined) return section[key];
  for (const [k, v] of Object.entries(section)) if (k !== key && camel(k) === key) return v;
  return undefined;
}

function asSection(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`security policy: ${path} must be an object`);
  return value as Record<string, unknown>;
}

function merge<T extends object>(
  defaults: T,
  given: Record<string, unknown> | undefined,
  path: string,
  enums: Record<string, readonly string[]>,
): T {
  if (!given) return defaults;
  const out: Record<string, unknown> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = read(given, key);
    const where = `${path}.${key}`;
    if (value === undefined) out[key] = fallback;
    else if (typeof fallback === 'boolean') {
      if (typeof value !== 'boolean')
        throw new ConfigError(`security policy: ${where} must be true or false, got ${JSON.stringify(value)}`);
      out[key] = value;
    } else if (Array.isArray(fallback)) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw new ConfigError(`security policy: ${where} must be a list of strings`);
      out[key] = [...(value as string[])];
    } else if (typeof fallback === 'object' && fallback !== null) {
      out[key] = merge(fallback, asSection(value, where), where, enums);
    } else {
      const allowed = enums[key];
      const text = typeof value === 'string' ? value.toLowerCase() : value;
      if (allowed && (typeof text !== 'string' || !allowed.includes(text))) {
        throw new ConfigError(`security policy: ${where} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      }
      out[key] = text;
    }
  }
  return out as T;
}

const ACTION_FIELDS = [
  'unsignedViolationAction',
  'invalidSignatureAction',
  'missingKeyAction',
  'plaintextViolationAction',
  'channelViolationAction',
  'sealedViolationAction',
];
const ENUMS: Record<string, readonly string[]> = {
  ...Object.fromEntries(ACTION_FIELDS.map((f) => [f, SECURITY_ACTIONS])),
  signaturePolicy: SIGNATURE_POLICIES,
  signingMaterial: SIGNING_MATERIALS,
  minimumResponseLevel: CRYPTO_LEVELS,
  defaultLevel: CRYPTO_LEVELS,
};

/** The full signing and encryption config for `config` (absent section → development preset). */
export function resolvePolicyConfig(config: SecurityPolicyConfig = {}): { signing: SigningConfig; encryption: EncryptionConfig } {
  const root = config as Record<string, unknown>;
  const signingSection = asSection(read(root, 'signing'), 'signing');
  const encryptionSection = asSection(read(root, 'encryption'), 'encryption');
  const signing = signingSection ? merge(SIGNING_DEFAULTS, signingSection, 'signing', ENUMS) : SIGNING_DEVELOPMENT;
  const encryption = encryptionSection ? merge(ENCRYPTION_DEFAULTS, encryptionSection, 'encryption', ENUMS) : ENCRYPTION_DEVELOPMENT;
  if (
    signing.signingMaterial === 'raw-key' &&
    (!signing.validateCertNameConstraints || signing.requireCertSidMatch || signing.requireCertLogicalMatch)
  ) {
    throw new ConfigError('security policy: X.509 validation options are set but signing.signingMaterial is "raw-key"');
  }
  return { signing, encryption };
}
