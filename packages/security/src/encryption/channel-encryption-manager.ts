/**
 * The channel encryption manager (protocol-security §5.3–§5.4, §7): encrypts Data envelopes on
 * a secure channel to their destination, opening one when none is up. While the handshake
 * runs, envelopes for that destination wait (bounded); when the SecureAccept arrives they are
 * encrypted and sent, and when the handshake fails each one with a `replyTo` is answered with
 * `DeliveryAck{ok:false, code:"channel_handshake_failed", reason:"channel_handshake_failed: <reason>"}`
 * (`negative_secure_accept` for an `ok:false` SecureAccept, as the reference writes it;
 * `handshake_timeout` when none came, which the reference never gives up on).
 *
 * After decrypting, it remembers the envelope's `replyTo` and `sid` → channel id, so answers
 * go back on the channel the request came on. It also handles the handshake frames addressed
 * to this node and answers SecureOpen through the host.
 */
import {
  NOOP_LOGGER,
  SYSTEM_INBOX,
  createEnvelope,
  physicalAddress,
  randomId,
  type FameEnvelope,
  type Logger,
  type SecureAcceptFrame,
  type SecureCloseFrame,
  type SecureOpenFrame,
} from '@naylence/core';
import { EncryptionError } from '../errors.js';
import { hasEncryptablePayload } from './encrypted-envelope.js';
import type { EncryptionHost, EncryptionManager, EncryptionOptions, EncryptionResult } from './encryption-manager.js';
import { nackQueued, sendSafely } from './host-send.js';
import { PendingEnvelopes, type PendingEnvelopesOptions } from './pending-envelopes.js';
import { destinationOfChannelId, type SecureChannelManager } from './secure-channel-manager.js';

/** The reason the reference gives when the peer answered SecureOpen with `ok: false`. */
export const NEGATIVE_SECURE_ACCEPT = 'negative_secure_accept';
export const HANDSHAKE_TIMEOUT = 'handshake_timeout';

export interface ChannelEncryptionManagerOptions {
  readonly channels: SecureChannelManager;
  readonly host: EncryptionHost;
  /** Bounds of the envelopes waiting for handshakes. */
  readonly pending?: PendingEnvelopesOptions;
  /** `replyTo` / `sid` → channel entries remembered at most; default 4096. */
  readonly maxRemembered?: number;
  readonly logger?: Logger;
}

interface Handshake {
  readonly cid: string;
  readonly corrId: string;
}

export class ChannelEncryptionManager implements EncryptionManager {
  readonly channels: SecureChannelManager;
  readonly #host: EncryptionHost;
  readonly #logger: Logger;
  readonly #maxRemembered: number;
  readonly #pending: PendingEnvelopes;
  /** Handshakes we started, by destination, and their SecureOpen corrIds. */
  readonly #handshakes = new Map<string, Handshake>();
  readonly #byCorrId = new Map<string, string>();
  /** `replyTo` addresses and sids of decrypted envelopes → the channel they came on. */
  readonly #remembered = new Map<string, string>();

  constructor(options: ChannelEncryptionManagerOptions) {
    this.channels = options.channels;
    this.#host = options.host;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#maxRemembered = options.maxRemembered ?? 4096;
    this.#pending = new PendingEnvelopes('a secure channel', options.pending);
  }

  /** Destinations with a handshake in progress. */
  get handshakingWith(): string[] {
    return [...this.#handshakes.keys()];
  }

  /**
   * OK on an established channel; QUEUED while one is opened (this call sends the SecureOpen);
   * SKIPPED for no payload or an already encrypted envelope.
   * @throws EncryptionError (no destination, not attached, too many channels), BackPressureError
   */
  encrypt<E extends FameEnvelope>(envelope: E, options: EncryptionOptions = {}): EncryptionResult<E> {
    if (!hasEncryptablePayload(envelope) || envelope.sec?.enc) return { status: 'SKIPPED', envelope };
    const destination = options.destination ?? envelope.to;
    if (destination === undefined) throw new EncryptionError('channel encryption needs a destination address');
    const cid = this.#channelTo(destination, options.peerSid);
    if (cid) return { status: 'OK', envelope: this.channels.encrypt(envelope, cid) };
    // A group exists exactly while its handshake runs: the first envelope starts it.
    if (this.#pending.add(destination, envelope)) {
      try {
        this.#open(destination);
      } catch (error) {
        this.#pending.take(destination);
        throw error;
      }
    }
    return { status: 'QUEUED' };
  }

  /**
   * The decrypted copy of a channel-encrypted envelope; its `replyTo` and `sid` now answer on
   * that channel.
   * @throws DecryptionError, SignatureInvalidError (§8 W1), ReplayError (§8 W6)
   */
  decrypt<E extends FameEnvelope>(envelope: E): E {
    const decrypted = this.channels.decrypt(envelope);
    const cid = envelope.sec!.enc!.kid!;
    if (envelope.replyTo !== undefined) this.#remember(envelope.replyTo, cid);
    if (envelope.sid !== undefined) this.#remember(envelope.sid, cid);
    return decrypted;
  }

  /** A SecureOpen addressed to this node: answers it (SecureAccept to its `replyTo`, same `corrId`). */
  handleSecureOpen(envelope: FameEnvelope<SecureOpenFrame>): void {
    if (envelope.replyTo === undefined) {
      this.#logger.warn({ cid: envelope.frame.cid }, 'SecureOpen without replyTo ignored');
      return;
    }
    const accept = this.channels.handleOpen(envelope.frame, envelope.sid);
    if (!accept) {
      this.#logger.warn({ cid: envelope.frame.cid }, 'SecureOpen for an existing channel ignored');
      return;
    }
    if (!accept.ok) this.#logger.warn({ cid: accept.cid, reason: accept.reason }, 'secure channel refused');
    const reply = createEnvelope({ to: envelope.replyTo, corrId: envelope.corrId, frame: accept });
    sendSafely(this.#host, reply, this.#logger);
  }

  /** A SecureAccept for a handshake of ours: sends what waited for it, or NACKs it. */
  handleSecureAccept(envelope: FameEnvelope<SecureAcceptFrame>): void {
    const frame = envelope.frame;
    const result = this.channels.handleAccept(frame, envelope.sid);
    if (result.status === 'established') this.notifyChannelEstablished(result.cid);
    else if (result.status === 'failed') this.notifyChannelFailed(result.cid, frame.ok === false ? NEGATIVE_SECURE_ACCEPT : result.reason);
    else this.#logger.debug({ cid: result.cid }, 'SecureAccept for no handshake of ours ignored');
  }

  /** A SecureClose from the channel's peer: the channel is dropped here too. */
  handleSecureClose(envelope: FameEnvelope<SecureCloseFrame>): void {
    const cid = envelope.frame.cid;
    const handshake = this.#handshakeOf(cid);
    if (!this.channels.handleClose(envelope.frame, envelope.sid)) return;
    this.#forget(cid);
    if (handshake) this.notifyChannelFailed(cid, `closed: ${envelope.frame.reason ?? 'SecureClose'}`);
  }

  /**
   * A NACK (`DeliveryAck ok:false`) whose `corrId` is one of our SecureOpens (no route to the
   * destination, …) fails that handshake. True when it was one of ours.
   */
  handleDeliveryNack(envelope: FameEnvelope): boolean {
    const frame = envelope.frame;
    if (frame.type !== 'DeliveryAck' || frame.ok !== false || envelope.corrId === undefined) return false;
    const cid = this.#byCorrId.get(envelope.corrId);
    if (cid === undefined) return false;
    this.channels.close(cid);
    this.notifyChannelFailed(cid, frame.code ?? frame.reason ?? 'nack');
    return true;
  }

  /** The channel `cid` is up: the envelopes waiting for its destination are encrypted and sent. */
  notifyChannelEstablished(cid: string): void {
    const destination = this.#endHandshake(cid);
    if (destination === undefined) return;
    for (const envelope of this.#pending.take(destination)) {
      try {
        sendSafely(this.#host, this.channels.encrypt(envelope, cid), this.#logger);
      } catch (error) {
        this.#logger.warn({ err: error, cid, envelopeId: envelope.id }, 'could not encrypt a queued envelope');
      }
    }
  }

  /** The handshake of `cid` failed: each waiting envelope with a `replyTo` gets the reference's NACK. */
  notifyChannelFailed(cid: string, reason = 'handshake_failed'): void {
    this.#forget(cid);
    const destination = this.#endHandshake(cid);
    if (destination === undefined) return;
    const queued = this.#pending.take(destination);
    if (queued.length > 0) this.#logger.warn({ cid, destination, reason, count: queued.length }, 'secure channel handshake failed');
    for (const envelope of queued) {
      nackQueued(this.#host, envelope, 'channel_handshake_failed', `channel_handshake_failed: ${reason}`, this.#logger);
    }
  }

  /** Closes a channel here and tells the peer (SecureClose to the channel's destination or peer). */
  closeChannel(cid: string, to: string, reason?: string): void {
    this.#forget(cid);
    sendSafely(this.#host, createEnvelope({ to, frame: this.channels.close(cid, reason) }), this.#logger);
  }

  /** Drops channels to `destination` (its route went away); returns how many. */
  removeChannelsForDestination(destination: string): number {
    for (const [key, cid] of this.#remembered) if (destinationOfChannelId(cid) === destination) this.#remembered.delete(key);
    return this.channels.removeChannelsForDestination(destination);
  }

  /** Fails handshakes that got no answer in time and drops expired channels. Call it every few seconds. */
  sweep(): void {
    for (const { cid } of this.channels.expireHandshakes()) this.notifyChannelFailed(cid, HANDSHAKE_TIMEOUT);
    for (const cid of this.channels.cleanupExpiredChannels()) this.#forget(cid);
  }

  /** NACKs everything still waiting (node stopping). */
  clear(reason = 'closed'): void {
    for (const { cid } of [...this.#handshakes.values()]) this.notifyChannelFailed(cid, reason);
  }

  #channelTo(destination: string, peerSid: string | undefined): string | undefined {
    for (const key of [destination, peerSid]) {
      const cid = key === undefined ? undefined : this.#remembered.get(key);
      if (cid !== undefined && this.channels.isUsable(cid, true)) return cid;
    }
    return this.channels.channelFor(destination);
  }

  #open(destination: string): void {
    const path = this.#host.physicalPath();
    if (path === undefined) throw new EncryptionError('not attached yet: a SecureOpen needs this node’s physical path for its replyTo');
    const frame = this.channels.open(destination);
    const corrId = randomId();
    const previous = this.#handshakes.get(destination);
    if (previous) this.#byCorrId.delete(previous.corrId);
    this.#handshakes.set(destination, { cid: frame.cid, corrId });
    this.#byCorrId.set(corrId, frame.cid);
    sendSafely(this.#host, createEnvelope({ to: destination, replyTo: physicalAddress(SYSTEM_INBOX, path), corrId, frame }), this.#logger);
  }

  #handshakeOf(cid: string): string | undefined {
    for (const [destination, handshake] of this.#handshakes) if (handshake.cid === cid) return destination;
    return undefined;
  }

  /** Forgets the handshake of `cid`; returns its destination (undefined when it was not ours). */
  #endHandshake(cid: string): string | undefined {
    const destination = this.#handshakeOf(cid);
    if (destination === undefined) return undefined;
    this.#byCorrId.delete(this.#handshakes.get(destination)!.corrId);
    this.#handshakes.delete(destination);
    return destination;
  }

  #remember(key: string, cid: string): void {
    const remembered = this.#remembered;
    // Most envelopes repeat what is remembered (a client's replyTo and sid). The order is kept
    // fresh once the map is half full, long before anything can be pushed out of it.
    if (remembered.size < this.#maxRemembered / 2 && remembered.get(key) === cid) return;
    remembered.delete(key);
    remembered.set(key, cid);
    if (remembered.size > this.#maxRemembered) remembered.delete(remembered.keys().next().value!);
  }

  #forget(cid: string): void {
    for (const [key, value] of this.#remembered) if (value === cid) this.#remembered.delete(key);
  }
}
