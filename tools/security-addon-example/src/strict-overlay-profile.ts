/**
 * The `strict-overlay` security profile (protocol-security §1.2, the advanced-security add-on's):
 * `overlay` plus X.509 certificate chains in signing keys with the certificate sid required to
 * match, and encryption — channel by default (`FAME_DEFAULT_ENCRYPTION_LEVEL`), with channel
 * and sealed envelopes accepted inbound. The component sections name this add-on's factories.
 */
import type { ProfileConfig } from '@naylence/security';

export const STRICT_OVERLAY = 'strict-overlay';

export const STRICT_OVERLAY_PROFILE: ProfileConfig = Object.freeze({
  type: 'DefaultSecurityManager',
  security_policy: {
    type: 'DefaultSecurityPolicy',
    signing: {
      signing_material: 'x509-chain',
      require_cert_sid_match: true,
      validate_cert_name_constraints: true,
      inbound: { signature_policy: 'required', unsigned_violation_action: 'nack', invalid_signature_action: 'nack' },
      response: { mirror_request_signing: true, always_sign_responses: false, sign_error_responses: true },
      outbound: { default_signing: true, sign_sensitive_operations: true, sign_if_recipient_expects: true },
    },
    encryption: {
      inbound: {
        allow_plaintext: true,
        allow_channel: true,
        allow_sealed: true,
        plaintext_violation_action: 'nack',
        channel_violation_action: 'nack',
        sealed_violation_action: 'nack',
      },
      response: { mirror_request_level: true, minimum_response_level: 'plaintext', escalate_sealed_responses: false },
      outbound: {
        default_level: '${env:FAME_DEFAULT_ENCRYPTION_LEVEL:channel}',
        escalate_if_peer_supports: false,
        prefer_sealed_for_sensitive: false,
      },
    },
  },
  authorizer: { type: 'AuthorizationProfile', profile: '${env:FAME_AUTHORIZATION_PROFILE:jwt}' },
  key_validator: { type: 'X509KeyValidator', trust_anchors: '${env:FAME_CA_CERTS:}' },
  envelope_verifier: { type: 'X509EnvelopeVerifier' },
  certificate_manager: { type: 'StaticCertificateManager', chain: '${env:FAME_NODE_CERT_CHAIN:}' },
});
