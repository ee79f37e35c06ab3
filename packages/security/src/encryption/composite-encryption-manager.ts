/**
 * The encryption manager a node uses (protocol-security §5.1, §7): on encrypt it asks the
 * policy which level the envelope needs (`plaintext` < `channel` < `sealed`; for responses the
 * response rules, mirroring the request's level) and hands it to the channel or the sealed
 * manager; on decrypt it dispatches by `sec.enc.alg` with the policy's classification (a
 * channel algorithm → channel; a sealed one, an unknown one or none → sealed).
 *
 * It also keeps the envelope-id replay window (§8 W6): a decrypted envelope whose (`sid`, `id`)
 * was decrypted before is refused with `ReplayError`. Honest peers never reuse an id for new
 * content; a retransmission of one already delivered must not be delivered twice either (the
 * node may re-acknowledge it).
 */
import type { FameEnvelope } from '@naylence/core';
import { EncryptionError, ReplayError } from '../errors.js';
import type { CryptoLevel } from '../policy/policy-config.js';
import type { PolicyContext, SecurityPolicy } from '../policy/security-policy.js';
import { hasEncryptablePayload } from './encrypted-envelope.js';
import type { EncryptionManager, EncryptionOptions, EncryptionResult, MaybePromise } from './encryption-manager.js';
import { ReplayWindow, type ReplayWindowOptions } from './replay-window.js';

export interface CompositeEncryptionManagerOptions {
  /** Decides the level (`decideOutboundCryptoLevel` / `decideResponseCryptoLevel`) and classifies inbound `alg`s. */
  readonly policy: SecurityPolicy;
  /** Handles `sealed`; without it, a sealed envelope is an error (never plaintext). */
  readonly sealed?: EncryptionManager & { hasRecipientKey?(address: string): boolean };
  /** Handles `channel`. */
  readonly channel?: EncryptionManager;
  /** The envelope-id window; default 65 536 ids for 10 minutes. `false` turns it off. */
  readonly envelopeIds?: ReplayWindowOptions | false;
}

const LOCAL: PolicyContext = { origin: 'local' };

export class CompositeEncryptionManager implements EncryptionManager {
  readonly #policy: SecurityPolicy;
  readonly #sealed: CompositeEncryptionManagerOptions['sealed'];
  readonly #channel: EncryptionManager | undefined;
  readonly #ids: ReplayWindow | undefined;

  constructor(options: CompositeEncryptionManagerOptions) {
    this.#policy = options.policy;
    this.#sealed = options.sealed;
    this.#channel = options.channel;
    this.#ids = options.envelopeIds === false ? undefined : new ReplayWindow({ capacity: 65_536, ttlMs: 600_000, ...options.envelopeIds });
  }

  /**
   * The level the policy wants for a locally originated envelope: `options.level`, else the
   * response rules for a response (`context.messageType`), else the outbound rules.
   */
  levelFor(envelope: FameEnvelope, options: EncryptionOptions = {}): CryptoLevel {
    if (options.level) return options.level;
    const context = options.context ?? LOCAL;
    if (context.messageType === 'response' || context.messageType === 'protocol-response') {
      return this.#policy.decideResponseCryptoLevel(context.inboundCryptoLevel ?? 'plaintext', envelope);
    }
    if (context.recipientHasEncryptionKey !== undefined) return this.#policy.decideOutboundCryptoLevel(envelope, context);
    // Looked up only if the policy asks (escalate_if_peer_supports): not a key-store search per envelope.
    return this.#policy.decideOutboundCryptoLevel(
      envelope,
      // its unset members read `undefined`, as absent ones would
      new OutboundContext(context, options.destination ?? envelope.to, this.#sealed) as PolicyContext,
    );
  }

  /** @throws EncryptionError when the level has no manager here; whatever the chosen manager throws */
  encrypt<E extends FameEnvelope>(envelope: E, options: EncryptionOptions = {}): MaybePromise<EncryptionResult<E>> {
    if (!hasEncryptablePayload(envelope) || envelope.sec?.enc) return { status: 'SKIPPED', envelope };
    const level = this.levelFor(envelope, options);
    if (level === 'plaintext') return { status: 'SKIPPED', envelope };
    const manager = level === 'channel' ? this.#channel : this.#sealed;
    if (!manager) throw new EncryptionError(`the policy wants ${level} encryption but this node has no ${level} encryption manager`);
    return manager.encrypt(envelope, options);
  }

  /**
   * Synchronous when the manager is (ours are): no promise per message on the hot path.
   * @throws (or rejects with) DecryptionError, SignatureInvalidError (§8 W1), ReplayError (§8 W6)
   */
  decrypt<E extends FameEnvelope>(envelope: E, options?: EncryptionOptions): MaybePromise<E> {
    if (!envelope.sec?.enc) return envelope;
    const level = this.#policy.classifyMessageCryptoLevel(envelope);
    const manager = level === 'channel' ? this.#channel : this.#sealed;
    if (!manager) throw new EncryptionError(`no ${level} encryption manager to decrypt with`);
    const decrypted = manager.decrypt(envelope, options);
    return decrypted instanceof Promise ? decrypted.then((d) => this.#unseen(d)) : this.#unseen(decrypted);
  }

  /** The envelope-id window (§8 W6). @throws ReplayError */
  #unseen<E extends FameEnvelope>(decrypted: E): E {
    if (this.#ids && decrypted.id && !this.#ids.add(decrypted.id, decrypted.sid ?? '')) {
      throw new ReplayError('envelope_id', decrypted.id, `envelope ${JSON.stringify(decrypted.id)} was already decrypted`);
    }
    return decrypted;
  }

  async notifyKeyAvailable(kid: string): Promise<void> {
    await this.#sealed?.notifyKeyAvailable?.(kid);
    await this.#channel?.notifyKeyAvailable?.(kid);
  }

  async notifyChannelEstablished(cid: string): Promise<void> {
    await this.#channel?.notifyChannelEstablished?.(cid);
  }

  async notifyChannelFailed(cid: string, reason?: string): Promise<void> {
    await this.#channel?.notifyChannelFailed?.(cid, reason);
  }
}

/** Every member of `PolicyContext`, optional ones included: a member added there must be copied here too. */
type EveryPolicyMember = { readonly [K in keyof Required<PolicyContext>]: PolicyContext[K] };

/**
 * A `PolicyContext`: `context` with `recipientHasEncryptionKey` looked up when read. A class, not
 * an object literal with a getter: that literal (with a spread) cost ~0.4 µs per envelope to build.
 */
class OutboundContext implements EveryPolicyMember {
  readonly origin: PolicyContext['origin'];
  readonly messageType: string | undefined;
  readonly inboundWasSigned: boolean | undefined;
  readonly inboundCryptoLevel: CryptoLevel | undefined;
  readonly isLocalAddress: ((address: string) => boolean) | undefined;
  readonly #to: string | undefined;
  readonly #sealed: CompositeEncryptionManagerOptions['sealed'];

  constructor(context: PolicyContext, to: string | undefined, sealed: CompositeEncryptionManagerOptions['sealed']) {
    this.origin = context.origin;
    this.messageType = context.messageType;
    this.inboundWasSigned = context.inboundWasSigned;
    this.inboundCryptoLevel = context.inboundCryptoLevel;
    this.isLocalAddress = context.isLocalAddress;
    this.#to = to;
    this.#sealed = sealed;
  }

  get recipientHasEncryptionKey(): boolean {
    return this.#to !== undefined && this.#sealed?.hasRecipientKey?.(this.#to) === true;
  }
}
