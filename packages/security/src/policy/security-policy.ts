/**
 * The security policy contract (protocol-security §1.3, §3.9, §5.1): pure decisions about one
 * envelope, given what the node knows about it. Implemented by `DefaultSecurityPolicy` and
 * `NoSecurityPolicy`; the node's security stage calls it and acts.
 */
import type { FameEnvelope } from '@naylence/core';
import type { CryptoLevel, SecurityAction } from './policy-config.js';

/** What the node knows about an envelope when it asks the policy. */
export interface PolicyContext {
  /** `local`: this node originates it; otherwise the kind of link it arrived on. */
  readonly origin: 'local' | 'downstream' | 'upstream' | 'peer';
  /** The reference's delivery-context `meta['message-type']`: `response` / `protocol-response` mark responses. */
  readonly messageType?: string;
  /** For a response: whether the request it answers arrived signed. */
  readonly inboundWasSigned?: boolean;
  /** For a response: the crypto level the request arrived with. */
  readonly inboundCryptoLevel?: CryptoLevel;
  /** Whether an X25519 key of the recipient is known (escalate_if_peer_supports). */
  readonly recipientHasEncryptionKey?: boolean;
  /** Whether an address is bound on this node (decrypt only at the destination). */
  readonly isLocalAddress?: (address: string) => boolean;
}

/** What derived requirements a policy has (which components a node must build, §1.3). */
export interface SecurityRequirements {
  readonly signingRequired: boolean;
  readonly verificationRequired: boolean;
  readonly encryptionRequired: boolean;
  readonly decryptionRequired: boolean;
  readonly requireKeyExchange: boolean;
  readonly requireSigningKeyExchange: boolean;
  readonly requireEncryptionKeyExchange: boolean;
  readonly requireNodeAuthorization: boolean;
  readonly requireCertificates: boolean;
  readonly minimumCryptoLevel: CryptoLevel;
  readonly supportedSigningAlgorithms: readonly string[];
  readonly supportedEncryptionAlgorithms: readonly string[];
  readonly preferredSigningAlgorithms: readonly string[];
  readonly preferredEncryptionAlgorithms: readonly string[];
}

/** The inbound signature decision for one envelope. */
export type InboundSignatureDecision =
  /** Not subject to signature checks (local origin, unsigned and not required, or verification disabled). */
  | { readonly verdict: 'accept' }
  /** Signed: verify it; on failure apply `getInvalidSignatureViolationAction()`. */
  | { readonly verdict: 'verify' }
  /** Unsigned where a signature is required. `allow` lets it through (logged); `reject` drops; `nack` answers `signature_required`. */
  | { readonly verdict: 'unsigned'; readonly action: SecurityAction; readonly critical: boolean };

/** The inbound crypto-level decision for one envelope (§5.1). */
export type InboundCryptoDecision =
  | { readonly verdict: 'accept'; readonly level: CryptoLevel }
  /** Level not allowed: `allow` lets it through (logged), `reject` drops, `nack` answers `crypto_level_violation`. */
  | { readonly verdict: 'violation'; readonly level: CryptoLevel; readonly action: SecurityAction };

export type AttachCompatibility = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface SecurityPolicy {
  readonly name: string;
  /** Outbound: sign this locally originated envelope? */
  shouldSignEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean;
  /** Outbound: encrypt this locally originated envelope? */
  shouldEncryptEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean;
  /** Inbound: is this (signed) envelope's signature to be verified? */
  shouldVerifySignature(envelope: FameEnvelope, context: PolicyContext): boolean;
  /** Inbound: decrypt here (the destination is local, or there is none)? */
  shouldDecryptEnvelope(envelope: FameEnvelope, context: PolicyContext): boolean;
  classifyMessageCryptoLevel(envelope: FameEnvelope): CryptoLevel;
  isInboundCryptoLevelAllowed(level: CryptoLevel): boolean;
  getInboundViolationAction(level: CryptoLevel): SecurityAction;
  decideResponseCryptoLevel(requestLevel: CryptoLevel, envelope: FameEnvelope): CryptoLevel;
  decideOutboundCryptoLevel(envelope: FameEnvelope, context: PolicyContext): CryptoLevel;
  /** Inbound: must this envelope be signed (critical frames always; others per policy)? */
  isSignatureRequired(envelope: FameEnvelope, context: PolicyContext): boolean;
  getUnsignedViolationAction(): SecurityAction;
  getInvalidSignatureViolationAction(): SecurityAction;
  /** What to do when the signing key stays unknown after the key requests gave up. */
  getMissingKeyAction(): SecurityAction;
  /** The combined inbound signature rule of §3.9 for one envelope. */
  inboundSignatureDecision(envelope: FameEnvelope, context: PolicyContext): InboundSignatureDecision;
  /** The combined inbound crypto-level rule of §5.1 for one envelope. */
  inboundCryptoDecision(envelope: FameEnvelope, context: PolicyContext): InboundCryptoDecision;
  requirements(): SecurityRequirements;
  /** Whether a peer presenting `peerKeys` at attach can talk to us under this policy (W5: refuse on `ok: false`). */
  validateAttachSecurityCompatibility(peer: {
    readonly peerKeys?: readonly Record<string, unknown>[];
    readonly peerRequirements?: SecurityRequirements;
  }): AttachCompatibility;
}

/** Frames that must be signed whatever the policy (§3.9). */
export const CRITICAL_FRAME_TYPES: ReadonlySet<string> = new Set(['KeyRequest', 'KeyAnnounce', 'SecureOpen', 'SecureAccept']);

/** Frames no policy requires to be signed (§3.9). */
export const NEVER_SIGNED_FRAME_TYPES: ReadonlySet<string> = new Set(['NodeAttach', 'NodeHeartbeat']);

/** Frames for which no NACK is ever sent (§3.9). */
export const NO_NACK_FRAME_TYPES: ReadonlySet<string> = new Set(['CreditUpdate', 'NodeHeartbeat', 'NodeHeartbeatAck']);
