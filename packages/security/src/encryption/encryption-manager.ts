/**
 * The encryption manager contract (protocol-security §7): `encrypt` answers OK (encrypted),
 * SKIPPED (nothing to encrypt: not a Data frame with a payload, or already encrypted) or QUEUED
 * (held until a key arrives or a channel is up; the manager sends it itself then), `decrypt`
 * returns the decrypted copy or throws. Implemented by `SealedEncryptionManager`,
 * `ChannelEncryptionManager` and `CompositeEncryptionManager`; an add-on may bring its own.
 */
import type { DeliveryAckCode, FameEnvelope } from '@naylence/core';
import type { PolicyContext } from '../policy/security-policy.js';
import type { CryptoLevel } from '../policy/policy-config.js';

/** A value, or a promise of it: managers answer synchronously when they can. */
export type MaybePromise<T> = T | Promise<T>;

export type EncryptionStatus = 'OK' | 'SKIPPED' | 'QUEUED';

export type EncryptionResult<E extends FameEnvelope = FameEnvelope> =
  /** `envelope` is the encrypted copy: send it. */
  | { readonly status: 'OK'; readonly envelope: E }
  /** Nothing to encrypt: send `envelope` (the input) as it is. */
  | { readonly status: 'SKIPPED'; readonly envelope: E }
  /** Held by the manager, which sends it (encrypted) or NACKs it later: send nothing now. */
  | { readonly status: 'QUEUED' };

export interface EncryptionOptions {
  /** The level to use; default: what the policy decides for `context`. */
  readonly level?: Exclude<CryptoLevel, 'plaintext'>;
  /** Where the channel goes, or whose key seals it; default the envelope's `to`. */
  readonly destination?: string;
  /** Seal to this key instead of looking one up. */
  readonly recipientPublicKey?: Uint8Array;
  readonly recipientKid?: string;
  /** For a response: the sid of the request's sender, to answer on the channel it used. */
  readonly peerSid?: string;
  /** What the node knows about the envelope (origin, response type, inbound level). */
  readonly context?: PolicyContext;
}

export interface EncryptionManager {
  /** @throws EncryptionError and friends: an envelope that must be encrypted is never sent in plaintext */
  encrypt<E extends FameEnvelope>(envelope: E, options?: EncryptionOptions): MaybePromise<EncryptionResult<E>>;
  /** @throws DecryptionError, SignatureInvalidError (§8 W1), ReplayError (§8 W6) */
  decrypt<E extends FameEnvelope>(envelope: E, options?: EncryptionOptions): MaybePromise<E>;
  /** A key arrived (KeyAnnounce stored): envelopes waiting for it are sealed and sent. */
  notifyKeyAvailable?(kid: string): MaybePromise<void>;
  /** A handshake completed: envelopes waiting for the channel are encrypted and sent. */
  notifyChannelEstablished?(cid: string): MaybePromise<void>;
  /** A handshake failed: envelopes waiting for it are NACKed (`channel_handshake_failed: <reason>`). */
  notifyChannelFailed?(cid: string, reason?: string): MaybePromise<void>;
}

/**
 * What an encryption manager needs from the node that runs it. Nothing else: no sockets, no
 * routing table. The fabric's security stage implements it.
 */
export interface EncryptionHost {
  /** This node's physical path once attached (`replyTo` of SecureOpen, `physicalPath` of KeyRequest). */
  physicalPath(): string | undefined;
  /**
   * Sends an envelope this node originates through its outbound path: SecureOpen, SecureAccept,
   * SecureClose, KeyRequest, NACKs and queued envelopes once encrypted. The path must sign them
   * (SecureOpen, SecureAccept and KeyRequest are critical frames) and must not encrypt them again
   * (they are not Data frames, or already carry `sec.enc`). Errors are logged by the manager.
   */
  send(envelope: FameEnvelope): MaybePromise<void>;
  /**
   * Sends an envelope without `to` to the parent, as the reference sends a by-address
   * `KeyRequest{address, physicalPath}` (§4.3): the sentinel that knows the address answers with
   * a KeyAnnounce carrying the request's `corrId`. Signed like `send`.
   */
  sendUpstream(envelope: FameEnvelope): MaybePromise<void>;
  /**
   * Optional: a queued envelope will never be sent (its key never came, its handshake failed).
   * Return true when the host told its sender itself (e.g. failed the local `send` that queued
   * it); otherwise the manager NACKs it to its `replyTo`, or drops it with a log line.
   */
  refused?(envelope: FameEnvelope, code: DeliveryAckCode, reason: string): boolean;
}
