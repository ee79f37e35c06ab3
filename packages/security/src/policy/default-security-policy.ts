/**
 * `DefaultSecurityPolicy` (protocol-security §1.2–§1.3, §3.9, §5.1): the reference's rules for
 * when to sign, verify, encrypt and decrypt, as pure functions of the envelope and a
 * {@link PolicyContext}. The caller supplies facts the reference looked up itself (whether the
 * recipient has an encryption key, whether an address is local).
 */
import type { FameEnvelope } from '@naylence/core';
import {
  compareCryptoLevels,
  resolvePolicyConfig,
  type CryptoLevel,
  type EncryptionConfig,
  type SecurityAction,
  type SecurityPolicyConfig,
  type SigningConfig,
} from './policy-config.js';
import {
  CRITICAL_FRAME_TYPES,
  NEVER_SIGNED_FRAME_TYPES,
  type AttachCompatibility,
  type InboundCryptoDecision,
  type InboundSignatureDecision,
  type PolicyContext,
  type SecurityPolicy,
  type SecurityRequirements,
} from './security-policy.js';

function isResponse(context: PolicyContext): boolean {
  return context.messageType === 'response' || context.messageType === 'protocol-response';
}

export class DefaultSecurityPolicy implements SecurityPolicy {
  readonly name = 'DefaultSecurityPolicy';
  readonly signing: SigningConfig;
  readonly encryption: EncryptionConfig;
  readonly #requirements: SecurityRequirements;

  /** @throws ConfigError for an invalid value, naming the field */
  constructor(config: SecurityPolicyConfig = {}) {
    const resolved = resolvePolicyConfig(config);
    this.signing = resolved.signing;
    this.encryption = resolved.encryption;
    this.#requirements = this.#deriveRequirements();
  }

  shouldSignEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean {
    if (context.origin !== 'local' || envelope.sec?.sig || envelope.frame.type === 'NodeAttach') return false;
    const response = isResponse(context);
    if (this.shouldEncryptEnvelope(envelope, context) && (!response || this.signing.response.mirrorRequestSigning)) return true;
    if (response) {
      const rules = this.signing.response;
      if (rules.alwaysSignResponses) return true;
      // The reference tests for a frame type "Error", which the protocol does not have.
      if (rules.signErrorResponses && (envelope.frame.type as string) === 'Error') return true;
      return (
        rules.mirrorRequestSigning && (context.inboundWasSigned === true || (context.inboundCryptoLevel ?? 'plaintext') !== 'plaintext')
      );
    }
    const rules = this.signing.outbound;
    // No operation is "sensitive" in 0.4.12, so sign_sensitive_operations never applies.
    return rules.signIfRecipientExpects || rules.defaultSigning;
  }

  shouldEncryptEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean {
    if (context.origin !== 'local' || envelope.sec?.enc || envelope.frame.type !== 'Data') return false;
    const level = isResponse(context)
      ? this.decideResponseCryptoLevel(context.inboundCryptoLevel ?? 'plaintext', envelope)
      : this.decideOutboundCryptoLevel(envelope, context);
    return level !== 'plaintext';
  }

  shouldVerifySignature(envelope: FameEnvelope): boolean {
    if (!envelope.sec?.sig) return false;
    const policy = this.signing.inbound.signaturePolicy;
    return policy === 'required' || policy === 'optional';
  }

  shouldDecryptEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean {
    if (!envelope.sec?.enc) return false;
    if (envelope.to) return context.isLocalAddress?.(envelope.to) ?? false;
    return true;
  }

  classifyMessageCryptoLevel(envelope: FameEnvelope): CryptoLevel {
    const enc = envelope.sec?.enc;
    if (!enc) return 'plaintext';
    if (enc.alg !== undefined && this.encryption.supportedChannelAlgorithms.includes(enc.alg)) return 'channel';
    // A sealed algorithm, an unknown one, or none at all: sealed.
    return 'sealed';
  }

  isInboundCryptoLevelAllowed(level: CryptoLevel): boolean {
    const rules = this.encryption.inbound;
    return level === 'plaintext' ? rules.allowPlaintext : level === 'channel' ? rules.allowChannel : rules.allowSealed;
  }

  getInboundViolationAction(level: CryptoLevel): SecurityAction {
    const rules = this.encryption.inbound;
    return level === 'plaintext'
      ? rules.plaintextViolationAction
      : level === 'channel'
        ? rules.channelViolationAction
        : rules.sealedViolationAction;
  }

  decideResponseCryptoLevel(requestLevel: CryptoLevel, envelope: FameEnvelope): CryptoLevel {
    if (envelope.frame.type !== 'Data') return 'plaintext';
    const rules = this.encryption.response;
    if (rules.escalateSealedResponses) return 'sealed';
    const level = rules.mirrorRequestLevel ? requestLevel : rules.minimumResponseLevel;
    return compareCryptoLevels(level, rules.minimumResponseLevel) < 0 ? rules.minimumResponseLevel : level;
  }

  decideOutboundCryptoLevel(envelope: FameEnvelope, context: PolicyContext): CryptoLevel {
    if (envelope.frame.type !== 'Data') return 'plaintext';
    const rules = this.encryption.outbound;
    if (rules.escalateIfPeerSupports && envelope.to && context.recipientHasEncryptionKey) return 'sealed';
    // prefer_sealed_for_sensitive: no operation is sensitive in 0.4.12.
    return rules.defaultLevel;
  }

  isSignatureRequired(envelope: FameEnvelope): boolean {
    const type = envelope.frame.type;
    if (CRITICAL_FRAME_TYPES.has(type)) return true;
    if (NEVER_SIGNED_FRAME_TYPES.has(type)) return false;
    const policy = this.signing.inbound.signaturePolicy;
    return policy === 'required' || (policy === 'forbidden' && envelope.sec?.sig !== undefined);
  }

  getUnsignedViolationAction(): SecurityAction {
    return this.signing.inbound.unsignedViolationAction;
  }

  getInvalidSignatureViolationAction(): SecurityAction {
    return this.signing.inbound.invalidSignatureAction;
  }

  getMissingKeyAction(): SecurityAction {
    return this.signing.inbound.missingKeyAction;
  }

  /**
   * §3.9 for one inbound envelope. An unsigned critical frame is `reject`ed whatever the
   * configured action (the reference drops it silently).
   */
  inboundSignatureDecision(envelope: FameEnvelope, context: PolicyContext): InboundSignatureDecision {
    if (context.origin === 'local') return { verdict: 'accept' };
    if (!envelope.sec?.sig) {
      if (CRITICAL_FRAME_TYPES.has(envelope.frame.type)) return { verdict: 'unsigned', action: 'reject', critical: true };
      if (this.isSignatureRequired(envelope)) return { verdict: 'unsigned', action: this.getUnsignedViolationAction(), critical: false };
      return { verdict: 'accept' };
    }
    return this.shouldVerifySignature(envelope) ? { verdict: 'verify' } : { verdict: 'accept' };
  }

  /**
   * §5.1 for one inbound envelope. Only Data frames are subject to crypto-level rules: every
   * other frame travels in plaintext (which covers the spec's exempt system frames).
   */
  inboundCryptoDecision(envelope: FameEnvelope, context: PolicyContext): InboundCryptoDecision {
    const level = this.classifyMessageCryptoLevel(envelope);
    if (context.origin === 'local' || envelope.frame.type !== 'Data' || this.isInboundCryptoLevelAllowed(level))
      return { verdict: 'accept', level };
    return { verdict: 'violation', level, action: this.getInboundViolationAction(level) };
  }

  requirements(): SecurityRequirements {
    return this.#requirements;
  }

  validateAttachSecurityCompatibility(peer: {
    readonly peerKeys?: readonly Record<string, unknown>[];
    readonly peerRequirements?: SecurityRequirements;
  }): AttachCompatibility {
    const ours = this.#requirements;
    const keys = peer.peerKeys ?? [];
    const has = (use: string, crv: string) => keys.some((k) => (k.use === use || k.use === undefined) && k.kty === 'OKP' && k.crv === crv);
    if (ours.requireSigningKeyExchange && !has('sig', 'Ed25519')) {
      return { ok: false, reason: 'Policy requires signing key exchange but no signing keys provided' };
    }
    if (ours.requireEncryptionKeyExchange && !has('enc', 'X25519')) {
      return { ok: false, reason: 'Policy requires encryption key exchange but no encryption keys provided' };
    }
    const theirs = peer.peerRequirements;
    if (theirs) {
      if (
        theirs.minimumCryptoLevel === 'sealed' &&
        compareCryptoLevels('sealed', ours.minimumCryptoLevel) > 0 &&
        !ours.encryptionRequired
      ) {
        return { ok: false, reason: 'Peer requires SEALED but we do not support encryption' };
      }
      const common = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));
      if (
        theirs.signingRequired &&
        ours.verificationRequired &&
        !common(theirs.supportedSigningAlgorithms, ours.supportedSigningAlgorithms)
      ) {
        return { ok: false, reason: 'No compatible signing algorithms' };
      }
      if (
        theirs.encryptionRequired &&
        ours.decryptionRequired &&
        !common(theirs.supportedEncryptionAlgorithms, ours.supportedEncryptionAlgorithms)
      ) {
        return { ok: false, reason: 'No compatible encryption algorithms' };
      }
    }
    return { ok: true };
  }

  #deriveRequirements(): SecurityRequirements {
    const { inbound, response, outbound } = this.signing;
    const enc = this.encryption;
    const signingRequired =
      outbound.defaultSigning ||
      outbound.signSensitiveOperations ||
      response.mirrorRequestSigning ||
      response.alwaysSignResponses ||
      response.signErrorResponses;
    const verificationRequired = inbound.signaturePolicy === 'required' || inbound.signaturePolicy === 'optional';
    const encryptionRequired = enc.outbound.defaultLevel !== 'plaintext' || enc.response.minimumResponseLevel !== 'plaintext';
    const decryptionRequired = enc.inbound.allowChannel || enc.inbound.allowSealed;
    const requireEncryptionKeyExchange = encryptionRequired || decryptionRequired;
    let minimumCryptoLevel: CryptoLevel = 'plaintext';
    if (!enc.inbound.allowPlaintext)
      minimumCryptoLevel = enc.inbound.allowChannel ? 'channel' : enc.inbound.allowSealed ? 'sealed' : 'plaintext';
    return Object.freeze({
      signingRequired,
      verificationRequired,
      encryptionRequired,
      decryptionRequired,
      requireKeyExchange: signingRequired || requireEncryptionKeyExchange,
      requireSigningKeyExchange: signingRequired,
      requireEncryptionKeyExchange,
      requireNodeAuthorization: true,
      requireCertificates: this.signing.signingMaterial === 'x509-chain',
      minimumCryptoLevel,
      supportedSigningAlgorithms: ['EdDSA'],
      supportedEncryptionAlgorithms: [...new Set([...enc.supportedSealedAlgorithms, ...enc.supportedChannelAlgorithms])],
      preferredSigningAlgorithms: ['EdDSA'],
      preferredEncryptionAlgorithms: ['X25519', 'ChaCha20Poly1305'],
    });
  }
}
