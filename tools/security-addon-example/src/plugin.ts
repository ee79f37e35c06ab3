/**
 * The plug-in object, the module `FAME_PLUGINS=@naylence-tools/security-addon-example` loads
 * (as `<package>/plugin`): it registers the `strict-overlay` and `encrypted-overlay` profiles and the three component
 * factories the profile names. Factories fail closed: a missing trust store or certificate
 * chain is a `ConfigError` naming the setting.
 */
import { ConfigError } from '@naylence/core';
import {
  DefaultSecurityPolicy,
  EnvelopeVerifier,
  SECURITY_PROFILE_BASE_TYPE,
  type SecurityComponentContext,
  type SecurityPlugin,
} from '@naylence/security';
import { ENV_CA_CERTS, loadCertificates } from './certificates.js';
import { StaticCertificateManager } from './static-certificate-manager.js';
import { STRICT_OVERLAY, STRICT_OVERLAY_PROFILE } from './strict-overlay-profile.js';
import { ENCRYPTED_OVERLAY, ENCRYPTED_OVERLAY_PROFILE } from './encrypted-overlay-profile.js';
import { X509KeyValidator } from './x509-key-validator.js';

export const PLUGIN_NAME = '@naylence-tools/security-addon-example';
const source = PLUGIN_NAME;

function setting(context: SecurityComponentContext, key: string): string | undefined {
  const value = context.config[key];
  return typeof value === 'string' ? value : undefined;
}

function x509KeyValidator(context: SecurityComponentContext): X509KeyValidator {
  const signing = context.policy instanceof DefaultSecurityPolicy ? context.policy.signing : undefined;
  return new X509KeyValidator({
    trustAnchors: loadCertificates(setting(context, 'trust_anchors') ?? context.env[ENV_CA_CERTS], ENV_CA_CERTS),
    requireCertSidMatch: signing?.requireCertSidMatch ?? true,
    enforceNameConstraints: signing?.validateCertNameConstraints ?? true,
  });
}

function x509EnvelopeVerifier(context: SecurityComponentContext): EnvelopeVerifier {
  const keyValidator = context.components.KeyValidator;
  if (!context.keyStore || !keyValidator?.checkSigningKey) {
    throw new ConfigError('X509EnvelopeVerifier needs the node key store and a certificate-checking key validator (key_validator)');
  }
  return new EnvelopeVerifier({ provider: context.provider, keys: context.keyStore, keyValidator });
}

export const securityAddonPlugin: SecurityPlugin = {
  name: PLUGIN_NAME,
  version: '0.0.0',
  register({ profiles, components }) {
    profiles.register(SECURITY_PROFILE_BASE_TYPE, STRICT_OVERLAY, STRICT_OVERLAY_PROFILE, { source });
    profiles.register(SECURITY_PROFILE_BASE_TYPE, ENCRYPTED_OVERLAY, ENCRYPTED_OVERLAY_PROFILE, { source });
    components.register('KeyValidator', 'X509KeyValidator', x509KeyValidator, { source });
    components.register('EnvelopeVerifier', 'X509EnvelopeVerifier', x509EnvelopeVerifier, { source });
    components.register(
      'CertificateManager',
      'StaticCertificateManager',
      (context) => new StaticCertificateManager(setting(context, 'chain')),
      {
        source,
      },
    );
  },
};

export default securityAddonPlugin;
