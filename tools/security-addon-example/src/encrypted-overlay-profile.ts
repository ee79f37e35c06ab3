/**
 * The `encrypted-overlay` security profile: the built-in `overlay` template with the encryption
 * policy of the reference's `strict-overlay` (channel and sealed envelopes accepted inbound,
 * `FAME_DEFAULT_ENCRYPTION_LEVEL` choosing the outbound level, default `channel`, responses
 * mirroring the request's level) and raw Ed25519 keys instead of certificates. `strict-overlay`
 * is this plus X.509 chains and its components.
 */
import { BUILT_IN_SECURITY_PROFILES, type ProfileConfig } from '@naylence/security';

export const ENCRYPTED_OVERLAY = 'encrypted-overlay';

type Section = Readonly<Record<string, unknown>>;
const overlay = BUILT_IN_SECURITY_PROFILES.overlay!;

/** The reference's strict-overlay encryption section (protocol-security §1.2). */
export const STRICT_ENCRYPTION: Section = Object.freeze({
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
});

export const ENCRYPTED_OVERLAY_PROFILE: ProfileConfig = Object.freeze({
  ...overlay,
  security_policy: { ...(overlay.security_policy as Section), encryption: STRICT_ENCRYPTION },
});
