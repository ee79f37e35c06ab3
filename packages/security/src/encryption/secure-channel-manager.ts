/**
 * Secure channels (protocol-security §5.3–§5.4) as a state machine with no sockets: frames in,
 * frames out. The initiator `open`s a channel to a destination (SecureOpen with a fresh
 * ephemeral X25519 key), the responder answers with `handleOpen` (SecureAccept), the initiator
 * completes it with `handleAccept`. Both derive the same key, HKDF-SHA256 of the shared secret
 * with info `fame-channel:<cid>`, used in both directions. Channel keys never leave this object:
 * `encrypt` and `decrypt` run here.
 *
 * Lifetime and re-keying: a channel lives `channelTtlMs` (3600 s, the reference's) from the
 * handshake; after that it neither encrypts nor decrypts. `channelFor(destination)` stops
 * offering a channel `rekeyMarginMs` before it expires, so the sender opens a new one and
 * switches to it while the old one still decrypts what is in flight (the responder's copy
 * expires a round trip earlier than the initiator's; the margin covers that).
 *
 * Hardening, wire unchanged (§8 W6): every nonce sent or received on a channel is remembered
 * in a bounded window and a repeat is refused (replays, and reflections of our own messages
 * under the shared key); a SecureOpen for a channel id that exists is ignored (a replayed
 * SecureOpen cannot reset a live channel), an unexpected SecureAccept changes nothing, and a
 * SecureClose only closes a channel when it comes from the channel's peer (same `sid` as its
 * handshake frame). Channels and handshakes are bounded in number.
 */
import { randomId, type SecureAcceptFrame, type SecureCloseFrame, type SecureOpenFrame, type FameEnvelope } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { base64Decode, base64Encode, hexEncode, utf8Encode } from '../crypto/encoding.js';
import { DecryptionError, EncryptionError, ReplayError } from '../errors.js';
import {
  CHANNEL_HANDSHAKE_ALG,
  CHANNEL_HKDF_INFO_PREFIX,
  channelIdOf,
  openForChannel,
  sealForChannel,
  type ChannelCipherState,
} from './channel-cipher.js';
import { ReplayWindow } from './replay-window.js';

export const DEFAULT_CHANNEL_TTL_MS = 3_600_000;
export const DEFAULT_REKEY_MARGIN_MS = 60_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The ephemeral key of an `ok: false` SecureAccept: 32 zero bytes. */
const ZERO_KEY = base64Encode(new Uint8Array(32));

/** `auto-<destination>-<random id>`: the destination is read back out of the id (§5.3). */
export function channelIdFor(destination: string): string {
  return `auto-${destination}-${randomId()}`;
}

/** The destination a channel id names, or undefined when it is not `auto-<destination>-<id>`. */
export function destinationOfChannelId(cid: string): string | undefined {
  if (!cid.startsWith('auto-')) return undefined;
  const end = cid.lastIndexOf('-');
  return end > 5 ? cid.slice(5, end) : undefined;
}

export interface ChannelInfo {
  readonly cid: string;
  readonly algorithm: string;
  /** `initiator`: this node opened it; `responder`: the peer did. */
  readonly role: 'initiator' | 'responder';
  /** The destination named by the channel id. */
  readonly destination: string | undefined;
  /** The `sid` of the peer's handshake frame, when known. */
  readonly peerSid: string | undefined;
  readonly sent: number;
  readonly received: number;
  readonly expiresAt: number;
}

export type ChannelAcceptResult =
  | { readonly status: 'established'; readonly cid: string; readonly destination: string | undefined }
  /** The peer refused (`ok: false`) or its key was unusable: fail what waits for this channel. */
  | { readonly status: 'failed'; readonly cid: string; readonly destination: string | undefined; readonly reason: string }
  /** No handshake of ours has this channel id (late, duplicate or forged): nothing changed. */
  | { readonly status: 'ignored'; readonly cid: string };

/** The secure-channel plug point (§7): the reference's `SecureChannelManager`, frames in and out. */
export interface SecureChannelManager {
  open(destination: string): SecureOpenFrame;
  handleOpen(frame: SecureOpenFrame, peerSid?: string): SecureAcceptFrame | undefined;
  handleAccept(frame: SecureAcceptFrame, peerSid?: string): ChannelAcceptResult;
  handleClose(frame: SecureCloseFrame, peerSid?: string): boolean;
  close(cid: string, reason?: string): SecureCloseFrame;
  channelFor(destination: string): string | undefined;
  isUsable(cid: string, forSending?: boolean): boolean;
  hasChannel(cid: string): boolean;
  channelInfo(cid: string): ChannelInfo | undefined;
  encrypt<E extends FameEnvelope>(envelope: E, cid: string): E;
  decrypt<E extends FameEnvelope>(envelope: E): E;
  expireHandshakes(): { readonly cid: string; readonly destination: string }[];
  cleanupExpiredChannels(): string[];
  removeChannelsForDestination(destination: string): number;
}

export interface SecureChannelManagerOptions {
  readonly provider: CryptoProvider;
  /** Channel lifetime; default 3600 s. */
  readonly channelTtlMs?: number;
  /** Stop sending on a channel this long before it expires; default 60 s (capped at half the TTL). */
  readonly rekeyMarginMs?: number;
  /** A handshake without SecureAccept fails after this; default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** Established channels plus handshakes in progress; default 1024. */
  readonly maxChannels?: number;
  /** Nonces remembered per channel (both directions); default 4096. */
  readonly replayWindow?: number;
  /** Monotonic milliseconds; default `performance.now()`. */
  readonly now?: () => number;
}

interface Channel extends ChannelCipherState {
  readonly algorithm: string;
  readonly role: 'initiator' | 'responder';
  readonly destination: string | undefined;
  readonly peerSid: string | undefined;
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly nonces: ReplayWindow;
  sent: number;
  received: number;
}

interface Handshake {
  readonly destination: string;
  readonly privateKey: Uint8Array;
  readonly deadline: number;
}

export class DefaultSecureChannelManager implements SecureChannelManager {
  readonly #provider: CryptoProvider;
  readonly #ttlMs: number;
  readonly #rekeyMarginMs: number;
  readonly #handshakeTimeoutMs: number;
  readonly #maxChannels: number;
  readonly #replayWindow: number;
  readonly #now: () => number;
  readonly #channels = new Map<string, Channel>();
  readonly #handshakes = new Map<string, Handshake>();

  constructor(options: SecureChannelManagerOptions) {
    this.#provider = options.provider;
    this.#ttlMs = options.channelTtlMs ?? DEFAULT_CHANNEL_TTL_MS;
    this.#rekeyMarginMs = Math.min(options.rekeyMarginMs ?? DEFAULT_REKEY_MARGIN_MS, this.#ttlMs / 2);
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#maxChannels = options.maxChannels ?? 1024;
    this.#replayWindow = options.replayWindow ?? 4096;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Established channels (expired ones included until cleaned up). */
  get size(): number {
    return this.#channels.size;
  }

  get handshakesInProgress(): number {
    return this.#handshakes.size;
  }

  /**
   * Starts a handshake to `destination`: the SecureOpen frame to send (with `replyTo` = this
   * node's `__sys__` inbox and a fresh `corrId`). Its `cid` names the channel from now on.
   * @throws EncryptionError when the channel bound is reached
   */
  open(destination: string): SecureOpenFrame {
    this.#makeRoom();
    const cid = channelIdFor(destination);
    const pair = this.#provider.x25519.generateKeyPair();
    this.#handshakes.set(cid, { destination, privateKey: pair.privateKey, deadline: this.#now() + this.#handshakeTimeoutMs });
    return { type: 'SecureOpen', cid, ephPub: base64Encode(pair.publicKey), alg: CHANNEL_HANDSHAKE_ALG, opts: 0 };
  }

  /**
   * The responder's answer to a SecureOpen: `ok: true` with our ephemeral key (the channel is
   * then established here), or `ok: false` with the reference's reason and a zero key for an
   * unsupported algorithm or unusable key, or when too many channels exist. `undefined` for a
   * SecureOpen whose channel id already exists: send nothing (a replay must not reset it).
   * `peerSid` is the SecureOpen envelope's `sid` (authenticated by its signature).
   */
  handleOpen(frame: SecureOpenFrame, peerSid?: string): SecureAcceptFrame | undefined {
    const algorithm = frame.alg ?? CHANNEL_HANDSHAKE_ALG;
    const refuse = (reason: string): SecureAcceptFrame => ({
      type: 'SecureAccept',
      ok: false,
      cid: frame.cid,
      reason,
      ephPub: ZERO_KEY,
      alg: algorithm,
    });
    if (this.#channels.has(frame.cid) || this.#handshakes.has(frame.cid)) return undefined;
    if (algorithm !== CHANNEL_HANDSHAKE_ALG) return refuse(`Unsupported algorithm: ${algorithm}`);
    const peerKey = base64Decode(frame.ephPub);
    if (peerKey?.length !== 32) return refuse('Invalid peer public key');
    if (!this.#hasRoom()) return refuse('Too many secure channels');
    const pair = this.#provider.x25519.generateKeyPair();
    let key: Uint8Array;
    try {
      key = this.#channelKey(frame.cid, pair.privateKey, peerKey);
    } catch {
      return refuse('Invalid peer public key');
    }
    this.#establish(frame.cid, key, algorithm, 'responder', peerSid);
    return { type: 'SecureAccept', ok: true, cid: frame.cid, ephPub: base64Encode(pair.publicKey), alg: algorithm };
  }

  /**
   * Completes (or fails) a handshake this node started. `peerSid` is the SecureAccept envelope's
   * `sid`. A SecureAccept for no handshake of ours is ignored.
   */
  handleAccept(frame: SecureAcceptFrame, peerSid?: string): ChannelAcceptResult {
    const cid = frame.cid;
    const handshake = this.#handshakes.get(cid);
    if (!handshake) return { status: 'ignored', cid };
    this.#handshakes.delete(cid);
    const destination = handshake.destination;
    if (frame.ok === false) return { status: 'failed', cid, destination, reason: frame.reason ?? 'refused' };
    const algorithm = frame.alg ?? CHANNEL_HANDSHAKE_ALG;
    if (algorithm !== CHANNEL_HANDSHAKE_ALG) return { status: 'failed', cid, destination, reason: `Unsupported algorithm: ${algorithm}` };
    const peerKey = base64Decode(frame.ephPub);
    let key: Uint8Array | undefined;
    try {
      if (peerKey?.length === 32) key = this.#channelKey(cid, handshake.privateKey, peerKey);
    } catch {
      key = undefined;
    }
    if (!key) return { status: 'failed', cid, destination, reason: 'Invalid peer public key' };
    this.#establish(cid, key, algorithm, 'initiator', peerSid);
    return { status: 'established', cid, destination };
  }

  /**
   * Drops the channel a SecureClose names, when it comes from the channel's peer (its `sid`
   * equals the handshake frame's) or the peer's sid is unknown. True when a channel was dropped.
   */
  handleClose(frame: SecureCloseFrame, peerSid?: string): boolean {
    const channel = this.#channels.get(frame.cid);
    if (!channel) return this.#handshakes.delete(frame.cid);
    if (channel.peerSid !== undefined && peerSid !== channel.peerSid) return false;
    return this.#channels.delete(frame.cid);
  }

  /** Drops a channel (or handshake) here and returns the SecureClose to send to the peer. */
  close(cid: string, reason = 'closed'): SecureCloseFrame {
    this.#channels.delete(cid);
    this.#handshakes.delete(cid);
    return { type: 'SecureClose', cid, reason };
  }

  /** An established channel to `destination` that this node opened and that is not about to expire. */
  channelFor(destination: string): string | undefined {
    const now = this.#now();
    let best: Channel | undefined;
    for (const channel of this.#channels.values()) {
      if (channel.role !== 'initiator' || channel.destination !== destination) continue;
      if (channel.expiresAt - this.#rekeyMarginMs <= now) continue;
      if (!best || channel.createdAt > best.createdAt) best = channel;
    }
    return best?.cid;
  }

  /** Whether `cid` is established and not expired, and, with `forSending`, not about to expire. */
  isUsable(cid: string, forSending = false): boolean {
    const channel = this.#channels.get(cid);
    return channel !== undefined && channel.expiresAt - (forSending ? this.#rekeyMarginMs : 0) > this.#now();
  }

  hasChannel(cid: string): boolean {
    return this.#channels.has(cid);
  }

  channelInfo(cid: string): ChannelInfo | undefined {
    const c = this.#channels.get(cid);
    if (!c) return undefined;
    const { key: _key, aad: _aad, nonces: _nonces, createdAt: _createdAt, ...info } = c;
    return { ...info };
  }

  /**
   * The channel-encrypted copy of a Data envelope.
   * @throws EncryptionError (no such channel, or expired; nothing to encrypt)
   */
  encrypt<E extends FameEnvelope>(envelope: E, cid: string): E {
    const channel = this.#channels.get(cid);
    if (!channel || channel.expiresAt <= this.#now()) throw new EncryptionError(`no established secure channel ${JSON.stringify(cid)}`);
    let nonce = this.#provider.randomBytes(12);
    let nonceHex = hexEncode(nonce);
    // 96 random bits never repeat in practice; the window would refuse the message if one did.
    while (!channel.nonces.add(nonceHex)) nonceHex = hexEncode((nonce = this.#provider.randomBytes(12)));
    const encrypted = sealForChannel(this.#provider, envelope, channel, nonce, nonceHex);
    channel.sent++;
    return encrypted;
  }

  /**
   * The decrypted copy of a channel-encrypted envelope.
   * @throws DecryptionError (`unknown_channel` for an unknown, closed or expired channel;
   *   `authentication`, `malformed`), SignatureInvalidError (§8 W1), ReplayError (a nonce seen
   *   on this channel before, §8 W6)
   */
  decrypt<E extends FameEnvelope>(envelope: E): E {
    const cid = channelIdOf(envelope);
    const channel = this.#channels.get(cid);
    if (!channel || channel.expiresAt <= this.#now()) {
      throw new DecryptionError(`no established secure channel ${JSON.stringify(cid)}`, 'unknown_channel');
    }
    const { envelope: decrypted, nonceHex } = openForChannel(this.#provider, envelope, channel);
    if (!channel.nonces.add(nonceHex)) throw new ReplayError('channel_nonce', envelope.id, `nonce already used on ${cid}`);
    channel.received++;
    return decrypted;
  }

  /** Handshakes that got no SecureAccept in time: forgotten here, to be failed by the caller. */
  expireHandshakes(): { readonly cid: string; readonly destination: string }[] {
    const now = this.#now();
    const expired: { cid: string; destination: string }[] = [];
    for (const [cid, handshake] of this.#handshakes) {
      if (handshake.deadline > now) continue;
      this.#handshakes.delete(cid);
      expired.push({ cid, destination: handshake.destination });
    }
    return expired;
  }

  /** Drops expired channels; returns their ids. */
  cleanupExpiredChannels(): string[] {
    const now = this.#now();
    const removed: string[] = [];
    for (const [cid, channel] of this.#channels) {
      if (channel.expiresAt > now) continue;
      this.#channels.delete(cid);
      removed.push(cid);
    }
    return removed;
  }

  /** Drops every channel and handshake whose id names `destination` (its route went away). */
  removeChannelsForDestination(destination: string): number {
    let removed = 0;
    for (const map of [this.#channels, this.#handshakes] as Map<string, unknown>[]) {
      for (const cid of map.keys()) {
        if (destinationOfChannelId(cid) === destination && map.delete(cid)) removed++;
      }
    }
    return removed;
  }

  #channelKey(cid: string, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
    const shared = this.#provider.x25519.sharedSecret(privateKey, peerPublicKey);
    return this.#provider.hkdfSha256(shared, undefined, utf8Encode(CHANNEL_HKDF_INFO_PREFIX + cid), 32);
  }

  #establish(cid: string, key: Uint8Array, algorithm: string, role: Channel['role'], peerSid: string | undefined): void {
    const now = this.#now();
    this.#channels.set(cid, {
      cid,
      key,
      aad: utf8Encode(cid),
      algorithm,
      role,
      destination: destinationOfChannelId(cid),
      peerSid,
      createdAt: now,
      expiresAt: now + this.#ttlMs,
      nonces: new ReplayWindow({ capacity: this.#replayWindow, now: this.#now }),
      sent: 0,
      received: 0,
    });
  }

  #hasRoom(): boolean {
    if (this.#channels.size + this.#handshakes.size < this.#maxChannels) return true;
    this.cleanupExpiredChannels();
    return this.#channels.size + this.#handshakes.size < this.#maxChannels;
  }

  #makeRoom(): void {
    if (!this.#hasRoom()) throw new EncryptionError(`more than ${this.#maxChannels} secure channels and handshakes`);
  }
}
