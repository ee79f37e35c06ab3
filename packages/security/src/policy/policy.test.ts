import { describe, expect, it } from 'vitest';
import { createEnvelope, type FameEnvelope, type FameFrame } from '@naylence/core';
import { DefaultSecurityPolicy } from './default-security-policy.js';
import { NoSecurityPolicy } from './no-security-policy.js';
import { BUILT_IN_SECURITY_PROFILES } from './profiles.js';
import { ENCRYPTION_DEFAULTS, SIGNING_DEFAULTS, type SecurityPolicyConfig } from './policy-config.js';

const policyOf = (profile: string) =>
  new DefaultSecurityPolicy(BUILT_IN_SECURITY_PROFILES[profile]!.security_policy as SecurityPolicyConfig);
const data = (extra: Partial<FameEnvelope> = {}): FameEnvelope => ({
  ...createEnvelope({ to: 'a@/x', frame: { type: 'Data', payload: 1 } }),
  ...extra,
});
const frame = (f: FameFrame) => createEnvelope({ frame: f });
const local = { origin: 'local' } as const;
const child = { origin: 'downstream' } as const;
const signed = (envelope: FameEnvelope) => ({ ...envelope, sec: { sig: { kid: 'k', val: 'v' } } });

describe('DefaultSecurityPolicy', () => {
  it('has the overlay values of the §1.2 table', () => {
    const overlay = policyOf('overlay');
    expect(overlay.signing.inbound).toEqual({
      signaturePolicy: 'required',
      unsignedViolationAction: 'nack',
      invalidSignatureAction: 'nack',
      missingKeyAction: 'nack',
    });
    expect(overlay.signing.response).toEqual({ mirrorRequestSigning: true, alwaysSignResponses: false, signErrorResponses: true });
    expect(overlay.signing.outbound).toEqual({ defaultSigning: true, signSensitiveOperations: true, signIfRecipientExpects: true });
    expect(overlay.encryption.inbound).toMatchObject({
      allowPlaintext: true,
      allowChannel: false,
      allowSealed: false,
      plaintextViolationAction: 'nack',
    });
    expect(overlay.encryption.response).toEqual({
      mirrorRequestLevel: false,
      minimumResponseLevel: 'plaintext',
      escalateSealedResponses: false,
    });
    expect(overlay.encryption.outbound).toEqual({
      defaultLevel: 'plaintext',
      escalateIfPeerSupports: false,
      preferSealedForSensitive: false,
    });
    expect(overlay.requirements()).toMatchObject({
      signingRequired: true,
      verificationRequired: true,
      encryptionRequired: false,
      decryptionRequired: false,
      requireSigningKeyExchange: true,
      requireEncryptionKeyExchange: false,
      requireCertificates: false,
      minimumCryptoLevel: 'plaintext',
    });
  });

  it('has the gated values of the §1.2 table', () => {
    const gated = policyOf('gated');
    expect(gated.signing.inbound).toMatchObject({
      signaturePolicy: 'disabled',
      unsignedViolationAction: 'allow',
      invalidSignatureAction: 'allow',
    });
    expect(gated.encryption.inbound).toMatchObject({ plaintextViolationAction: 'allow', channelViolationAction: 'nack' });
    expect(gated.encryption.response).toEqual({
      mirrorRequestLevel: true,
      minimumResponseLevel: 'plaintext',
      escalateSealedResponses: false,
    });
    expect(gated.requirements()).toMatchObject({ signingRequired: false, verificationRequired: false, requireKeyExchange: false });
    expect(policyOf('gated-callback').signing).toEqual(gated.signing);
    expect(policyOf('overlay-callback').signing).toEqual(policyOf('overlay').signing);
  });

  it('fills a partial section with the §1.2 field defaults and an absent one with the development preset', () => {
    const partial = new DefaultSecurityPolicy({ signing: { inbound: { signature_policy: 'required' } }, encryption: {} });
    expect(partial.signing).toEqual({ ...SIGNING_DEFAULTS, inbound: { ...SIGNING_DEFAULTS.inbound, signaturePolicy: 'required' } });
    expect(partial.encryption).toEqual(ENCRYPTION_DEFAULTS);
    expect(partial.requirements()).toMatchObject({ encryptionRequired: true, decryptionRequired: true, requireKeyExchange: true });
    const development = new DefaultSecurityPolicy();
    expect(development.signing.inbound.signaturePolicy).toBe('disabled');
    expect(development.requirements()).toMatchObject({ signingRequired: false, encryptionRequired: false, decryptionRequired: false });
  });

  it('refuses invalid values, naming the field', () => {
    expect(() => new DefaultSecurityPolicy({ signing: { inbound: { signature_policy: 'sometimes' } } })).toThrow(
      /signing\.inbound\.signaturePolicy/,
    );
    expect(() => new DefaultSecurityPolicy({ encryption: { outbound: { default_level: 'maximum' } } })).toThrow(
      /encryption\.outbound\.defaultLevel/,
    );
    expect(() => new DefaultSecurityPolicy({ signing: { require_cert_sid_match: true } })).toThrow(/raw-key/);
    expect(() => new DefaultSecurityPolicy({ signing: { response: { always_sign_responses: 'yes' } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('decides outbound signing per §3.9', () => {
    const overlay = policyOf('overlay');
    expect(overlay.shouldSignEnvelope(data(), local)).toBe(true);
    expect(overlay.shouldSignEnvelope(data(), child)).toBe(false); // forwarded: never re-signed
    expect(overlay.shouldSignEnvelope(signed(data()), local)).toBe(false);
    expect(overlay.shouldSignEnvelope(frame({ type: 'NodeAttach', systemId: 's', instanceId: 'i' }), local)).toBe(false);
    // Responses mirror the request.
    expect(overlay.shouldSignEnvelope(data(), { origin: 'local', messageType: 'response', inboundWasSigned: true })).toBe(true);
    expect(overlay.shouldSignEnvelope(data(), { origin: 'local', messageType: 'response', inboundWasSigned: false })).toBe(false);
    const always = new DefaultSecurityPolicy({ signing: { response: { always_sign_responses: true } } });
    expect(always.shouldSignEnvelope(data(), { origin: 'local', messageType: 'response' })).toBe(true);
    expect(policyOf('gated').shouldSignEnvelope(data(), local)).toBe(false);
  });

  it('decides inbound signatures per §3.9', () => {
    const overlay = policyOf('overlay');
    expect(overlay.inboundSignatureDecision(data(), local)).toEqual({ verdict: 'accept' });
    expect(overlay.inboundSignatureDecision(data(), child)).toEqual({ verdict: 'unsigned', action: 'nack', critical: false });
    expect(overlay.inboundSignatureDecision(signed(data()), child)).toEqual({ verdict: 'verify' });
    expect(overlay.inboundSignatureDecision(frame({ type: 'NodeHeartbeat' }), child)).toEqual({ verdict: 'accept' });
    expect(overlay.inboundSignatureDecision(frame({ type: 'NodeAttach', systemId: 's', instanceId: 'i' }), child)).toEqual({
      verdict: 'accept',
    });
    const gated = policyOf('gated');
    expect(gated.inboundSignatureDecision(data(), child)).toEqual({ verdict: 'accept' });
    expect(gated.inboundSignatureDecision(signed(data()), child)).toEqual({ verdict: 'accept' });
    for (const critical of [frame({ type: 'KeyRequest', kid: 'k' }), frame({ type: 'SecureOpen', cid: 'c', ephPub: 'x' })]) {
      expect(gated.inboundSignatureDecision(critical, child)).toEqual({ verdict: 'unsigned', action: 'reject', critical: true });
    }
    expect(overlay.getInvalidSignatureViolationAction()).toBe('nack');
    expect(gated.getInvalidSignatureViolationAction()).toBe('allow');
  });

  it('classifies crypto levels and applies inbound allow / violation rules per §5.1', () => {
    const overlay = policyOf('overlay');
    const enc = (alg?: string) => data({ sec: { enc: { ...(alg === undefined ? {} : { alg }), val: 'v' } } });
    expect(overlay.classifyMessageCryptoLevel(data())).toBe('plaintext');
    expect(overlay.classifyMessageCryptoLevel(enc('chacha20-poly1305-channel'))).toBe('channel');
    expect(overlay.classifyMessageCryptoLevel(enc('ECDH-ES+A256GCM'))).toBe('sealed');
    expect(overlay.classifyMessageCryptoLevel(enc('rot13'))).toBe('sealed');
    expect(overlay.classifyMessageCryptoLevel(enc())).toBe('sealed');
    expect(overlay.inboundCryptoDecision(data(), child)).toEqual({ verdict: 'accept', level: 'plaintext' });
    expect(overlay.inboundCryptoDecision(enc('chacha20-poly1305-channel'), child)).toEqual({
      verdict: 'violation',
      level: 'channel',
      action: 'nack',
    });
    const strict = new DefaultSecurityPolicy({ encryption: { inbound: { allow_plaintext: false } } });
    expect(strict.inboundCryptoDecision(data(), child)).toEqual({ verdict: 'violation', level: 'plaintext', action: 'nack' });
    expect(strict.inboundCryptoDecision(frame({ type: 'NodeHeartbeat' }), child).verdict).toBe('accept'); // system frames exempt
    expect(strict.requirements().minimumCryptoLevel).toBe('channel');
  });

  it('decides response and outbound crypto levels', () => {
    const defaults = new DefaultSecurityPolicy({ encryption: {} });
    expect(defaults.decideResponseCryptoLevel('plaintext', data())).toBe('channel'); // raised to the minimum
    expect(defaults.decideResponseCryptoLevel('sealed', data())).toBe('sealed'); // mirrored
    expect(defaults.decideResponseCryptoLevel('sealed', frame({ type: 'DeliveryAck' }))).toBe('plaintext');
    expect(defaults.decideOutboundCryptoLevel(data(), { origin: 'local' })).toBe('channel');
    expect(defaults.decideOutboundCryptoLevel(data(), { origin: 'local', recipientHasEncryptionKey: true })).toBe('sealed');
    expect(defaults.shouldEncryptEnvelope(data(), { origin: 'local' })).toBe(true);
    expect(policyOf('overlay').shouldEncryptEnvelope(data(), { origin: 'local' })).toBe(false);
    expect(
      defaults.shouldDecryptEnvelope(data({ sec: { enc: { val: 'v' } } }), { origin: 'downstream', isLocalAddress: () => false }),
    ).toBe(false);
    expect(defaults.shouldDecryptEnvelope(data({ sec: { enc: { val: 'v' } } }), { origin: 'downstream', isLocalAddress: () => true })).toBe(
      true,
    );
  });

  it('checks attach compatibility and says why not (W5)', () => {
    const overlay = policyOf('overlay');
    expect(overlay.validateAttachSecurityCompatibility({ peerKeys: [] })).toEqual({
      ok: false,
      reason: 'Policy requires signing key exchange but no signing keys provided',
    });
    expect(overlay.validateAttachSecurityCompatibility({ peerKeys: [{ kty: 'OKP', crv: 'Ed25519', use: 'sig' }] })).toEqual({ ok: true });
    expect(policyOf('gated').validateAttachSecurityCompatibility({})).toEqual({ ok: true });
  });
});

describe('NoSecurityPolicy', () => {
  it('signs, verifies and encrypts nothing', () => {
    const open = new NoSecurityPolicy();
    expect(open.shouldSignEnvelope()).toBe(false);
    expect(open.inboundSignatureDecision()).toEqual({ verdict: 'accept' });
    expect(open.requirements()).toMatchObject({ signingRequired: false, verificationRequired: false, requireNodeAuthorization: false });
    expect(open.shouldDecryptEnvelope(data({ sec: { enc: { val: 'v' } } }))).toBe(true);
  });
});
