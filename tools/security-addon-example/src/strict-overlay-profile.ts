/**
 * The `strict-overlay` security profile (protocol-security §1.2, the advanced-security add-on's):
 * the built-in `overlay` template plus X.509 certificate chains in signing keys with the
 * certificate sid required to match, and encryption — channel by default
 * (`FAME_DEFAULT_ENCRYPTION_LEVEL`), with channel and sealed envelopes accepted inbound. The
 * component sections name this add-on's factories.
 */
import { BUILT_IN_SECURITY_PROFILES, type ProfileConfig } from '@naylence/security';
import { STRICT_ENCRYPTION } from './encrypted-overlay-profile.js';

export const STRICT_OVERLAY = 'strict-overlay';

type Section = Readonly<Record<string, unknown>>;
const overlay = BUILT_IN_SECURITY_PROFILES.overlay!;
const overlayPolicy = overlay.security_policy as Section;

export const STRICT_OVERLAY_PROFILE: ProfileConfig = Object.freeze({
  ...overlay,
  security_policy: {
    ...overlayPolicy,
    signing: {
      ...(overlayPolicy.signing as Section),
      signing_material: 'x509-chain',
      require_cert_sid_match: true,
      validate_cert_name_constraints: true,
    },
    encryption: STRICT_ENCRYPTION,
  },
  authorizer: { type: 'AuthorizationProfile', profile: '${env:FAME_AUTHORIZATION_PROFILE:jwt}' },
  key_validator: { type: 'X509KeyValidator', trust_anchors: '${env:FAME_CA_CERTS:}' },
  envelope_verifier: { type: 'X509EnvelopeVerifier' },
  certificate_manager: { type: 'StaticCertificateManager', chain: '${env:FAME_NODE_CERT_CHAIN:}' },
});
