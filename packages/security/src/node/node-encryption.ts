/**
 * Overlay encryption in a running node (protocol-security §5): the sealed and channel
 * encryption managers behind a {@link CompositeEncryptionManager}, wired to the node through its
 * `SecurityHost`. `NodeSecurity` calls it at three points:
 *
 * - **outbound** (after signing, §5.1 "sign first, then encrypt"): a Data envelope this node
 *   originates is encrypted at the level the policy decides (outbound rules, or the response
 *   rules mirroring the request's level). When it must wait (a channel handshake, a recipient's
 *   key) the stage's promise settles once it is encrypted, or is refused with
 *   `CHANNEL_HANDSHAKE_FAILED` / `ENCRYPTION_KEY_UNAVAILABLE`: never sent in plaintext.
 * - **deliver**: decryption at the destination (routers forward ciphertext untouched), ending
 *   with the W1 check (`pd` recomputed from the plaintext) and the replay windows (§8 W6).
 * - **claim**: SecureOpen / SecureAccept / SecureClose addressed here; by-address KeyRequests
 *   (§5.2) for an address of ours, answered with this node's encryption key (routing others on,
 *   and relaying their answers, is `KeyExchange`'s); KeyAnnounces answering our own by-address
 *   requests.
 *
 * Handshakes and key requests that time out are swept by one unref'd timer, stopped with the node.
 */
import {
  createEnvelope,
  EnvelopeRejection,
  FameError,
  NOOP_LOGGER,
  tryParseAddress,
  unrefTimer,
  type DeliveryAckCode,
  type ErrorCode,
  type EnvelopeContext,
  type FameEnvelope,
  type KeyAnnounceFrame,
  type KeyRequestFrame,
  type Logger,
  type SecureAcceptFrame,
  type SecureCloseFrame,
  type SecureOpenFrame,
  type SecurityHost,
  type SecurityLink,
  type StageResult,
} from '@naylence/core';
import { rateLimitedLog } from '../authorization/refusal-log.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { EncryptionError } from '../errors.js';
import { ChannelEncryptionManager } from '../encryption/channel-encryption-manager.js';
import { CompositeEncryptionManager } from '../encryption/composite-encryption-manager.js';
import type { EncryptionHost, EncryptionResult } from '../encryption/encryption-manager.js';
import { keyStoreRecipients } from '../encryption/recipient-keys.js';
import { SealedEncryptionManager } from '../encryption/sealed-encryption-manager.js';
import {
  DefaultSecureChannelManager,
  type SecureChannelManager,
  type SecureChannelManagerOptions,
} from '../encryption/secure-channel-manager.js';
import { checkEncryptionJwk } from '../keys/jwk-validation.js';
import { keyAnnounceFrame } from '../keys/key-frames.js';
import type { KeyStore } from '../keys/key-store.js';
import type { NodeKeys } from '../keys/node-keys.js';
import type { PolicyContext, SecurityPolicy } from '../policy/security-policy.js';

export interface NodeEncryptionOptions {
  readonly provider: CryptoProvider;
  readonly policy: SecurityPolicy;
  readonly keys: NodeKeys;
  readonly store: KeyStore;
  readonly logger?: Logger;
  /** A plug-in's channel manager (`secure_channel_manager`); default {@link DefaultSecureChannelManager}. */
  readonly channels?: SecureChannelManager;
  /** Lifetime, re-key margin, handshake timeout and bounds of the default channel manager. */
  readonly channelOptions?: Omit<SecureChannelManagerOptions, 'provider'>;
  /** How often handshakes and key requests are swept; default 1 000 ms. */
  readonly sweepMs?: number;
}

/** FameError codes of the DeliveryAck codes a queued envelope is refused with. */
const REFUSAL_CODES: Partial<Record<DeliveryAckCode, ErrorCode>> = {
  channel_handshake_failed: 'CHANNEL_HANDSHAKE_FAILED',
  encryption_key_unavailable: 'ENCRYPTION_KEY_UNAVAILABLE',
};

export class NodeEncryption {
  readonly channel: ChannelEncryptionManager;
  readonly sealed: SealedEncryptionManager;
  readonly manager: CompositeEncryptionManager;
  readonly #keys: NodeKeys;
  readonly #store: KeyStore;
  readonly #logger: Logger;
  readonly #refusedLog: (bindings: Record<string, unknown>, message: string) => void;
  readonly #sweepMs: number;
  /** Local sends waiting for a handshake or a key, by envelope id: settled when encrypted or refused. */
  readonly #waiting = new Map<string, ((result: StageResult) => void)[]>();
  #host: SecurityHost | undefined;
  #upstream: SecurityLink | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: NodeEncryptionOptions) {
    const { provider, keys, store } = options;
    this.#keys = keys;
    this.#store = store;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#refusedLog = rateLimitedLog(this.#logger);
    this.#sweepMs = options.sweepMs ?? 1_000;
    const host = this.#encryptionHost();
    const channels = options.channels ?? new DefaultSecureChannelManager({ provider, ...options.channelOptions });
    this.channel = new ChannelEncryptionManager({ channels, host, logger: this.#logger });
    const physicalPath = () => this.#physicalPath();
    this.sealed = new SealedEncryptionManager({
      provider,
      host,
      own: keys,
      recipients: keyStoreRecipients({ store, own: keys, physicalPath }),
      logger: this.#logger,
    });
    this.manager = new CompositeEncryptionManager({ policy: options.policy, sealed: this.sealed, channel: this.channel });
  }

  start(host: SecurityHost): void {
    this.#host = host;
    this.#timer = setInterval(() => this.sweep(), this.#sweepMs);
    unrefTimer(this.#timer);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.channel.clear('node stopped');
    this.sealed.clear();
    for (const [id, waiters] of this.#waiting) {
      for (const settle of waiters)
        settle(new EnvelopeRejection('drop', new EncryptionError(`node stopped before envelope ${id} was encrypted`)));
    }
    this.#waiting.clear();
    this.#host = undefined;
  }

  /** Handshakes that got no answer, key requests to re-send or give up, expired channels. */
  sweep(): void {
    this.channel.sweep();
    this.sealed.sweep();
  }

  onLinkAttached(link: SecurityLink): void {
    if (link.role === 'upstream') this.#upstream = link;
  }

  onLinkClosed(link: SecurityLink): void {
    if (this.#upstream === link) this.#upstream = undefined;
  }

  /**
   * The outbound stage for a (signed) envelope this node originates: encrypted now, later (a
   * promise), unchanged (nothing to encrypt, or plaintext by policy), or refused.
   */
  encrypt(envelope: FameEnvelope, policyContext: PolicyContext, inReplyTo: FameEnvelope | undefined): StageResult | Promise<StageResult> {
    const result = this.manager.encrypt(envelope, {
      context: policyContext,
      ...(inReplyTo?.sid !== undefined && { peerSid: inReplyTo.sid }),
    });
    if (result instanceof Promise) return result.then((settled) => this.#settled(envelope, settled));
    return this.#settled(envelope, result);
  }

  /**
   * The decrypted copy of an envelope that arrived encrypted (unchanged when it did not).
   * @throws DecryptionError, SignatureInvalidError (§8 W1), ReplayError (§8 W6)
   */
  decrypt(envelope: FameEnvelope): FameEnvelope | Promise<FameEnvelope> {
    return envelope.sec?.enc === undefined ? envelope : this.manager.decrypt(envelope);
  }

  /** The frames of §5 this node handles itself; undefined = not an encryption frame, let key exchange see it. */
  claim(envelope: FameEnvelope, context: EnvelopeContext): boolean | undefined {
    const here = context.forThisNode === true;
    switch (envelope.frame.type) {
      case 'SecureOpen':
        if (here) this.channel.handleSecureOpen(envelope as FameEnvelope<SecureOpenFrame>);
        return here;
      case 'SecureAccept':
        if (here) this.channel.handleSecureAccept(envelope as FameEnvelope<SecureAcceptFrame>);
        return here;
      case 'SecureClose':
        if (here) this.channel.handleSecureClose(envelope as FameEnvelope<SecureCloseFrame>);
        return here;
      case 'KeyRequest':
        return this.#keyRequest(envelope as FameEnvelope<KeyRequestFrame>, context, here);
      case 'KeyAnnounce':
        return this.#keyAnnounce(envelope as FameEnvelope<KeyAnnounceFrame>, context);
      default:
        return undefined;
    }
  }

  /** By address, for an address of ours: answered with our encryption key. Others are key exchange's. */
  #keyRequest(envelope: FameEnvelope<KeyRequestFrame>, context: EnvelopeContext, here: boolean): boolean | undefined {
    const address = envelope.frame.address;
    const link = context.link;
    if (address === undefined || link === undefined) return undefined;
    const path = this.#physicalPath();
    if (here || (path !== undefined && tryParseAddress(address)?.path === path)) {
      if (path === undefined || this.#host === undefined) return true;
      const sid = this.#host.node.sid;
      const key = { ...this.#keys.encryptionJwk(), ...(sid !== undefined && { sid }), physical_path: path };
      const announce = createEnvelope({
        ...(envelope.corrId !== undefined && { corrId: envelope.corrId }),
        ...(envelope.traceId !== undefined && { traceId: envelope.traceId }),
        frame: keyAnnounceFrame({ physicalPath: path, keys: [key] }),
      });
      this.#sendVia(link, announce, envelope);
      return true;
    }
    return undefined;
  }

  /** A KeyAnnounce from the parent answering one of our by-address KeyRequests. */
  #keyAnnounce(envelope: FameEnvelope<KeyAnnounceFrame>, context: EnvelopeContext): boolean | undefined {
    const corrId = envelope.corrId;
    const link = context.link;
    if (corrId === undefined || link === undefined || envelope.to !== undefined) return undefined;
    if (link.role !== 'upstream') return undefined;
    const address = this.sealed.keyRequestAddress(corrId);
    if (address === undefined) return undefined;
    // Only X25519 encryption keys are taken from the answer.
    const keys = envelope.frame.keys.filter((key) => checkEncryptionJwk(key).ok);
    if (keys.length === 0) {
      this.#refusedLog({ address, corrId }, 'KeyAnnounce answered a key request without an encryption key');
      return true;
    }
    // A physical address's key is its node's: kept under the path, every address there finds it.
    const { added } = this.#store.addKeys(keys, tryParseAddress(address)?.path ?? address);
    for (const record of added) void this.manager.notifyKeyAvailable(record.kid);
    return true;
  }

  #settled(envelope: FameEnvelope, result: EncryptionResult): StageResult | Promise<StageResult> {
    if (result.status !== 'QUEUED') return result.envelope;
    return new Promise<StageResult>((resolve) => {
      const waiters = this.#waiting.get(envelope.id);
      if (waiters) waiters.push(resolve);
      else this.#waiting.set(envelope.id, [resolve]);
    });
  }

  /** Settles one local send waiting for `id`; false when none waits. */
  #settle(id: string, result: StageResult): boolean {
    const waiters = this.#waiting.get(id);
    const settle = waiters?.shift();
    if (settle === undefined) return false;
    if (waiters!.length === 0) this.#waiting.delete(id);
    settle(result);
    return true;
  }

  #physicalPath(): string | undefined {
    const path = this.#host?.node.physicalPath;
    return path === undefined || path === '' ? undefined : path;
  }

  #sendVia(link: SecurityLink, envelope: FameEnvelope, inReplyTo: FameEnvelope | undefined): void {
    const host = this.#host;
    if (host === undefined) return;
    host
      .sendVia(link, envelope, inReplyTo === undefined ? undefined : { inReplyTo })
      .catch((error: Error) => this.#logger.debug({ err: error, frameType: envelope.frame.type }, 'key frame not sent'));
  }

  /** What the managers see of the node: queued envelopes go back to the send that queued them. */
  #encryptionHost(): EncryptionHost {
    return {
      physicalPath: () => this.#physicalPath(),
      send: (envelope) => {
        if (envelope.frame.type === 'Data' && this.#settle(envelope.id, envelope)) return;
        const host = this.#host;
        if (host === undefined) return Promise.reject(new EncryptionError('node is not running'));
        const sent = host.send(envelope);
        const frame = envelope.frame;
        if (frame.type !== 'SecureOpen') return sent;
        // A SecureOpen that cannot even leave this node (no route) fails its handshake at once.
        return sent.catch((error: unknown) => {
          this.channel.notifyChannelFailed(frame.cid, error instanceof FameError ? error.code : 'not sent');
          throw error;
        });
      },
      sendUpstream: (envelope) => {
        const host = this.#host;
        const upstream = this.#upstream;
        if (host === undefined || upstream === undefined) return Promise.reject(new EncryptionError('no parent to ask for a key'));
        return host.sendVia(upstream, envelope);
      },
      refused: (envelope, code, reason) => {
        const error = new FameError(REFUSAL_CODES[code] ?? 'ENCRYPTION_FAILED', reason);
        return this.#settle(envelope.id, new EnvelopeRejection('drop', error));
      },
    };
  }
}
