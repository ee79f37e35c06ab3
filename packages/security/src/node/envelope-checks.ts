/**
 * What a node checks on envelopes that arrive (protocol-security §3.8–§3.9), and where
 * (docs/guides/security-profiles.md, "Verification placement"):
 *
 * - **Frames this node consumes** (control frames and their acks, KeyRequest, KeyAnnounce,
 *   SecureOpen/Accept/Close): full verification when they arrive (`inbound`, hop mode: they
 *   carry no payload digest).
 * - **Routed frames from a child** (this node is their ingress sentinel): no Ed25519 work, only
 *   checks that cost a map lookup: signed when the policy requires it, the signing key known,
 *   the envelope's `sid` the key owner's (W3), and that owner in the child's subtree. A child
 *   can then only speak as itself or its descendants.
 * - **Routed frames from the parent or a peer**: passed on; whoever delivers them verifies.
 * - **Delivery** (`deliver`): full verification in final mode (payload digest recomputed),
 *   then the crypto-level rule; so every envelope a handler sees was verified here. An
 *   encrypted envelope (profiles that decrypt, §5) at a level the policy allows: the signature
 *   in hop mode (over the advertised `pd`), then decryption, which ends with the payload digest
 *   recomputed from the plaintext (§8 W1) and the replay windows (§8 W6). A level the policy
 *   does not allow is refused without decrypting.
 *
 * `verifyEveryHop` restores the reference's placement (every routed frame verified at every
 * hop, the destination then only re-checks the payload digest).
 *
 * A failure is answered per the policy's action: `allow` (logged), `reject` (dropped, logged),
 * `nack` (a NACK `signature_required` / `signature_verification_failed` /
 * `crypto_level_violation` to the sender, where the protocol allows one). An unknown kid
 * defers the envelope until the key arrives (§4.4) or the requests give up.
 */
import {
  EnvelopeRejection,
  FameError,
  FRAME_ROLES,
  type EnvelopeContext,
  type FameEnvelope,
  type Logger,
  type StageResult,
} from '@naylence/core';
import { rateLimitedLog } from '../authorization/refusal-log.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { CryptoLevelViolationError, SidMismatchError, SignatureInvalidError, SignatureRequiredError, UnknownKeyError } from '../errors.js';
import type { KeyStore } from '../keys/key-store.js';
import { isAtOrBelow } from '../keys/paths.js';
import type { PolicyContext, SecurityPolicy } from '../policy/security-policy.js';
import type { SecurityAction } from '../policy/policy-config.js';
import { checkPayloadDigest, type VerificationMode } from '../signing/envelope-verifier.js';
import type { EnvelopeVerifierLike } from '../plugins/plug-points.js';
import type { KeyExchange } from './key-exchange.js';

/**
 * Frames of the link handshake and liveness, never subject to signature rules: NodeAttach is
 * sent before any key is known, and the reference writes NodeAttachAck and NodeHeartbeatAck
 * unsigned (§3.9); a NodeHeartbeat carries nothing to protect.
 */
export const LINK_HANDSHAKE_FRAMES: ReadonlySet<string> = new Set(['NodeAttach', 'NodeAttachAck', 'NodeHeartbeat', 'NodeHeartbeatAck']);

export interface EnvelopeChecksOptions {
  readonly provider: CryptoProvider;
  readonly policy: SecurityPolicy;
  readonly verifier: EnvelopeVerifierLike;
  readonly store: KeyStore;
  readonly keys: KeyExchange;
  readonly verifyEveryHop: boolean;
  readonly logger: Logger;
  /** Decrypts what arrives encrypted (profiles that decrypt); absent = encrypted envelopes are only level-checked. */
  readonly decrypt?: (envelope: FameEnvelope) => FameEnvelope | Promise<FameEnvelope>;
}

const POLICY_CONTEXT: Readonly<Record<string, PolicyContext>> = Object.freeze({
  local: Object.freeze({ origin: 'local' }),
  upstream: Object.freeze({ origin: 'upstream' }),
  downstream: Object.freeze({ origin: 'downstream' }),
  peer: Object.freeze({ origin: 'peer' }),
});

export class EnvelopeChecks {
  readonly #o: EnvelopeChecksOptions;
  readonly #log: (bindings: Record<string, unknown>, message: string) => void;
  /** Envelopes verified in full on arrival (verifyEveryHop): their delivery only re-checks `pd`. */
  readonly #verified = new WeakSet<FameEnvelope>();

  constructor(options: EnvelopeChecksOptions) {
    this.#o = options;
    this.#log = rateLimitedLog(options.logger);
  }

  /** The inbound stage: everything that arrives over a link. */
  inbound(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> {
    const type = envelope.frame.type;
    if (LINK_HANDSHAKE_FRAMES.has(type)) return envelope;
    if (FRAME_ROLES[type] === 'routed' && !this.#o.verifyEveryHop) {
      return context.origin === 'downstream' ? this.#ingress(envelope, context, true) : envelope;
    }
    return this.#verify(envelope, context, 'hop', true);
  }

  /** The deliver stage: before a local handler sees an envelope that came over a link. */
  deliver(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> {
    if (context.origin === 'local') return envelope;
    const crypto = this.#o.policy.inboundCryptoDecision(envelope, POLICY_CONTEXT[context.origin]!);
    const decrypt = this.#o.decrypt;
    if (decrypt !== undefined && crypto.verdict === 'accept' && envelope.sec?.enc !== undefined) {
      // Decrypted at once: nothing needs to remember that it was verified.
      const verified = this.#verified.has(envelope) ? envelope : this.#verify(envelope, context, 'hop', true, false);
      const open = (result: StageResult) => (result instanceof EnvelopeRejection ? result : this.#decrypt(result, context, decrypt));
      return verified instanceof Promise ? verified.then(open) : open(verified);
    }
    if (crypto.verdict === 'violation') {
      const refused = this.#act(crypto.action, new CryptoLevelViolationError(crypto.level), envelope, context);
      if (refused !== undefined) return refused;
    }
    if (this.#verified.has(envelope)) {
      try {
        checkPayloadDigest(this.#o.provider, envelope);
        return envelope;
      } catch (error) {
        return this.#invalid(error as SignatureInvalidError, envelope, context);
      }
    }
    return this.#verify(envelope, context, 'final', true);
  }

  /** Decryption with its refusals: W1 per the invalid-signature action; replays and bad ciphertext dropped. */
  #decrypt(
    envelope: FameEnvelope,
    context: EnvelopeContext,
    decrypt: NonNullable<EnvelopeChecksOptions['decrypt']>,
  ): StageResult | Promise<StageResult> {
    const failed = (error: unknown): StageResult => {
      if (error instanceof SignatureInvalidError) return this.#invalid(error, envelope, context);
      if (!(error instanceof FameError)) throw error;
      return new EnvelopeRejection('drop', error);
    };
    try {
      const decrypted = decrypt(envelope);
      return decrypted instanceof Promise ? decrypted.catch(failed) : decrypted;
    } catch (error) {
      return failed(error);
    }
  }

  /**
   * Full verification (hop or final mode) with the policy's unsigned/invalid actions. An
   * envelope verified in hop mode is remembered (its delivery then only re-checks `pd`) unless
   * `remember` is false.
   */
  #verify(
    envelope: FameEnvelope,
    context: EnvelopeContext,
    mode: VerificationMode,
    mayWait: boolean,
    remember = true,
  ): StageResult | Promise<StageResult> {
    const decision = this.#o.policy.inboundSignatureDecision(envelope, POLICY_CONTEXT[context.origin]!);
    if (decision.verdict === 'accept') return envelope;
    if (decision.verdict === 'unsigned') {
      return this.#act(decision.action, new SignatureRequiredError(envelope.frame.type), envelope, context) ?? envelope;
    }
    const failed = (error: unknown): StageResult | Promise<StageResult> => {
      if (error instanceof UnknownKeyError)
        return this.#unknownKey(error.kid, envelope, context, mayWait, () => this.#verify(envelope, context, mode, false, remember));
      if (error instanceof SignatureInvalidError) return this.#invalid(error, envelope, context);
      throw error;
    };
    const passed = (): StageResult => {
      if (mode === 'hop' && remember) this.#verified.add(envelope);
      return envelope;
    };
    const verifier = this.#o.verifier;
    // WebCrypto Ed25519 where the provider has it (browsers): the same checks, asynchronously.
    if (this.#o.provider.ed25519Async !== undefined && verifier.verifyAsync !== undefined) {
      return verifier.verifyAsync(envelope, mode).then(passed, failed);
    }
    try {
      verifier.verify(envelope, mode);
    } catch (error) {
      return failed(error);
    }
    return passed();
  }

  /** The ingress sentinel's checks for a routed frame from a child (see the module doc). */
  #ingress(envelope: FameEnvelope, context: EnvelopeContext, mayWait: boolean): StageResult | Promise<StageResult> {
    const sig = envelope.sec?.sig;
    if (sig === undefined) {
      const decision = this.#o.policy.inboundSignatureDecision(envelope, POLICY_CONTEXT.downstream!);
      if (decision.verdict !== 'unsigned') return envelope;
      return this.#act(decision.action, new SignatureRequiredError(envelope.frame.type), envelope, context) ?? envelope;
    }
    const kid = sig.kid;
    if (typeof kid !== 'string' || kid === '' || typeof sig.val !== 'string' || sig.val === '') {
      return this.#invalid(new SignatureInvalidError('malformed', 'sec.sig needs a non-empty kid and val'), envelope, context);
    }
    const records = this.#o.store.keysWithKid(kid);
    if (records.length === 0) return this.#unknownKey(kid, envelope, context, mayWait, () => this.#ingress(envelope, context, false));
    const record = records.find((r) => r.sid === envelope.sid);
    if (record === undefined) {
      return this.#invalid(new SidMismatchError(kid, envelope.sid, [...new Set(records.map((r) => r.sid))]), envelope, context);
    }
    const child = context.link?.physicalPath ?? '';
    if (!isAtOrBelow(record.physical_path, child)) {
      return this.#invalid(
        new SignatureInvalidError(
          'outside_subtree',
          `child ${JSON.stringify(child)} sent an envelope signed as ${JSON.stringify(record.physical_path)}, outside its subtree`,
          kid,
        ),
        envelope,
        context,
      );
    }
    return envelope;
  }

  /** Wait for the key (§4.4), then check again; a key that never comes is refused per the missing-key action. */
  #unknownKey(
    kid: string,
    envelope: FameEnvelope,
    context: EnvelopeContext,
    mayWait: boolean,
    again: () => StageResult | Promise<StageResult>,
  ): StageResult | Promise<StageResult> {
    const missing = () =>
      this.#act(
        this.#o.policy.getMissingKeyAction(),
        new SignatureInvalidError('unknown_key', `no key ${JSON.stringify(kid)} is known for this signature`, kid),
        envelope,
        context,
      ) ?? envelope;
    if (!mayWait) return missing();
    return this.#o.keys.whenKeyKnown(kid, context.link, envelope.traceId).then((known) => (known ? again() : missing()));
  }

  #invalid(error: SignatureInvalidError, envelope: FameEnvelope, context: EnvelopeContext): StageResult {
    return this.#act(this.#o.policy.getInvalidSignatureViolationAction(), error, envelope, context) ?? envelope;
  }

  /** The policy's action for `error`: undefined = let it through (logged), else the rejection. */
  #act(action: SecurityAction, error: FameError, envelope: FameEnvelope, context: EnvelopeContext): EnvelopeRejection | undefined {
    if (action === 'allow') {
      this.#log(
        { code: error.code, frameType: envelope.frame.type, envelopeId: envelope.id, from: context.link?.systemId },
        `let through per policy: ${error.message}`,
      );
      return undefined;
    }
    return new EnvelopeRejection(action === 'nack' ? 'nack' : 'drop', error);
  }
}
