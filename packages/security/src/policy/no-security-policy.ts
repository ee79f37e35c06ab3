/** The `open` profile's policy: nothing signed, verified or encrypted (the reference's `NoSecurityPolicy`). */
import type { FameEnvelope } from '@naylence/core';
import type { CryptoLevel, SecurityAction } from './policy-config.js';
import type {
  AttachCompatibility,
  InboundCryptoDecision,
  InboundSignatureDecision,
  SecurityPolicy,
  SecurityRequirements,
} from './security-policy.js';

const REQUIREMENTS: SecurityRequirements = Object.freeze({
  signingRequired: false,
  verificationRequired: false,
  encryptionRequired: false,
  decryptionRequired: false,
  requireKeyExchange: false,
  requireSigningKeyExchange: false,
  requireEncryptionKeyExchange: false,
  requireNodeAuthorization: false,
  requireCertificates: false,
  minimumCryptoLevel: 'plaintext',
  supportedSigningAlgorithms: [],
  supportedEncryptionAlgorithms: [],
  preferredSigningAlgorithms: [],
  preferredEncryptionAlgorithms: [],
});

export class NoSecurityPolicy implements SecurityPolicy {
  readonly name = 'NoSecurityPolicy';
  shouldSignEnvelope(): boolean {
    return false;
  }
  shouldEncryptEnvelope(): boolean {
    return false;
  }
  shouldVerifySignature(): boolean {
    return false;
  }
  /** True for an encrypted envelope, as the reference says (there is nothing to decrypt it with: it fails later). */
  shouldDecryptEnvelope(envelope: FameEnvelope): boolean {
    return envelope.sec?.enc !== undefined;
  }
  classifyMessageCryptoLevel(): CryptoLevel {
    return 'plaintext';
  }
  isInboundCryptoLevelAllowed(): boolean {
    return true;
  }
  getInboundViolationAction(): SecurityAction {
    return 'allow';
  }
  decideResponseCryptoLevel(): CryptoLevel {
    return 'plaintext';
  }
  decideOutboundCryptoLevel(): CryptoLevel {
    return 'plaintext';
  }
  isSignatureRequired(): boolean {
    return false;
  }
  getUnsignedViolationAction(): SecurityAction {
    return 'allow';
  }
  getInvalidSignatureViolationAction(): SecurityAction {
    return 'allow';
  }
  getMissingKeyAction(): SecurityAction {
    return 'allow';
  }
  inboundSignatureDecision(): InboundSignatureDecision {
    return { verdict: 'accept' };
  }
  inboundCryptoDecision(): InboundCryptoDecision {
    return { verdict: 'accept', level: 'plaintext' };
  }
  requirements(): SecurityRequirements {
    return REQUIREMENTS;
  }
  validateAttachSecurityCompatibility(): AttachCompatibility {
    return { ok: true };
  }
}
