/**
 * The sealed encryption manager (protocol-security §5.2, §7): seals Data envelopes to the
 * destination's X25519 key, found through a {@link RecipientKeyResolver}. When no key is known
 * the envelope waits (bounded) and a by-address `KeyRequest{address, physicalPath}` goes to the
 * parent, as the reference sends it; the request is re-sent with a fresh `corrId` after 5 s, up
 * to 3 times, then the waiting envelopes are NACKed with `encryption_key_unavailable` (the
 * reference keeps them forever). When the node stores the announced key it calls
 * `notifyKeyAvailable`, and the waiting envelopes are sealed and sent.
 */
import { BackPressureError, ConfigError, NOOP_LOGGER, createEnvelope, type FameEnvelope, type Logger } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { EncryptionError, EncryptionKeyUnavailableError } from '../errors.js';
import { KeyRequestTracker, type KeyRequestToSend, type KeyRequestTrackerOptions } from '../keys/key-request-tracker.js';
import { hasEncryptablePayload } from './encrypted-envelope.js';
import type { EncryptionHost, EncryptionManager, EncryptionOptions, EncryptionResult } from './encryption-manager.js';
import { nackQueued, sendSafely } from './host-send.js';
import type { RecipientKeyResolver } from './recipient-keys.js';
import { SealingKeys } from './sealing-keys.js';
import {
  SEALED_ALG,
  SEALED_ALGORITHMS,
  openSealedEnvelope,
  sealEnvelopeWith,
  sealedRecipientKid,
  type SealedRecipient,
} from './sealed-envelope.js';

/** The KeyRequest tracker's link name for requests sent to the parent. */
const UPSTREAM = 'upstream';

export interface SealedEncryptionManagerOptions {
  readonly provider: CryptoProvider;
  readonly host: EncryptionHost;
  /** This node's X25519 key (`NodeKeys`): opens what is sealed to it. */
  readonly own: SealedRecipient & { readonly encryptionKid: string };
  /** Finds recipients' keys, e.g. `keyStoreRecipients({ store, own, physicalPath })`. */
  readonly recipients: RecipientKeyResolver;
  /**
   * `sec.enc.alg` to write: `ECDH-ES+A256GCM` (default; what reference peers read), `chacha20-poly1305` or
   * `aes-256-gcm`; any other refuses to construct (`ConfigError`).
   */
  readonly alg?: string;
  /** Timeout, attempts and bounds of the key requests and the envelopes waiting for them. */
  readonly keyRequests?: KeyRequestTrackerOptions;
  /**
   * Ephemeral key pairs made ahead of time for the next seals (each used once); default 4. With
   * any, the key of the next seal to the same recipient is also agreed ahead. 0: nothing ahead.
   */
  readonly ephemeralKeyPairs?: number;
  readonly logger?: Logger;
}

export class SealedEncryptionManager implements EncryptionManager {
  readonly #provider: CryptoProvider;
  readonly #host: EncryptionHost;
  readonly #own: SealedEncryptionManagerOptions['own'];
  readonly #recipients: RecipientKeyResolver;
  readonly #alg: string;
  readonly #logger: Logger;
  readonly #requests: KeyRequestTracker<FameEnvelope>;
  readonly #sealingKeys: SealingKeys;

  constructor(options: SealedEncryptionManagerOptions) {
    this.#provider = options.provider;
    this.#host = options.host;
    this.#own = options.own;
    this.#recipients = options.recipients;
    this.#alg = options.alg ?? SEALED_ALG;
    if (!SEALED_ALGORITHMS.includes(this.#alg)) {
      throw new ConfigError(`unsupported sealed algorithm ${JSON.stringify(this.#alg)} (known: ${SEALED_ALGORITHMS.join(', ')})`, {
        setting: 'alg',
      });
    }
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#requests = new KeyRequestTracker<FameEnvelope>(options.keyRequests);
    this.#sealingKeys = new SealingKeys(options.provider, options.ephemeralKeyPairs);
  }

  /** Destinations whose key has been requested and not arrived yet. */
  get pendingAddresses(): string[] {
    return this.#requests.outstandingKids();
  }

  /** Whether a key to seal to `address` is known (the policy's `escalate_if_peer_supports`). */
  hasRecipientKey(address: string): boolean {
    return this.#recipients(address) !== undefined;
  }

  /**
   * OK with the sealed copy; SKIPPED for no payload or an already encrypted envelope; QUEUED
   * while the recipient's key is requested.
   * @throws EncryptionError (no destination), BackPressureError (too many envelopes waiting)
   */
  encrypt<E extends FameEnvelope>(envelope: E, options: EncryptionOptions = {}): EncryptionResult<E> {
    if (!hasEncryptablePayload(envelope) || envelope.sec?.enc) return { status: 'SKIPPED', envelope };
    if (options.recipientPublicKey) {
      const sealed = this.#seal(envelope, options.recipientPublicKey, options.recipientKid);
      return { status: 'OK', envelope: sealed };
    }
    const address = options.destination ?? envelope.to;
    if (address === undefined) throw new EncryptionError('sealed encryption needs a destination address to find the recipient key');
    const sealed = this.#sealFor(envelope, address);
    if (sealed) return { status: 'OK', envelope: sealed };
    const tracked = this.#requests.track(address, UPSTREAM, envelope, this.#host.physicalPath(), 'address');
    if (tracked.status === 'dropped') throw new BackPressureError(tracked.reason);
    if (tracked.status === 'send') this.#sendRequest(tracked.request);
    return { status: 'QUEUED' };
  }

  /**
   * The opened copy of an envelope sealed to this node. A kid other than ours is tried with our
   * key all the same (as the reference does; the tag decides).
   * @throws DecryptionError, SignatureInvalidError (§8 W1)
   */
  decrypt<E extends FameEnvelope>(envelope: E): E {
    const kid = sealedRecipientKid(envelope);
    if (kid !== undefined && kid !== this.#own.encryptionKid) {
      this.#logger.debug({ kid, ours: this.#own.encryptionKid, envelopeId: envelope.id }, 'sealed to another kid: trying our key');
    }
    return openSealedEnvelope(this.#provider, envelope, this.#own);
  }

  /**
   * The address a KeyAnnounce with this `corrId` (arriving from the parent) answers, or
   * undefined. The node stores the announced keys under that address too (so the resolver
   * finds them) and then calls {@link notifyKeyAvailable}.
   */
  keyRequestAddress(corrId: string): string | undefined {
    return this.#requests.answer(corrId, UPSTREAM)?.kid;
  }

  /** A key was stored: every waiting destination whose key is now known is sealed and sent. */
  notifyKeyAvailable(_kid?: string): void {
    for (const address of this.#requests.outstandingKids()) {
      if (!this.#recipients(address)) continue;
      for (const envelope of this.#requests.release(address)) {
        const sealed = this.#sealFor(envelope, address);
        if (sealed) sendSafely(this.#host, sealed, this.#logger);
      }
    }
  }

  /**
   * Re-sends key requests that timed out and gives up on those out of attempts: their
   * envelopes are NACKed `encryption_key_unavailable`. Call it every few seconds.
   */
  sweep(now?: number): void {
    const { resend, failed } = this.#requests.sweep(now);
    for (const request of resend) this.#sendRequest(request);
    for (const { kid: address, items } of failed) {
      const error = new EncryptionKeyUnavailableError(address);
      this.#logger.warn({ address, count: items.length }, error.message);
      for (const envelope of items) nackQueued(this.#host, envelope, 'encryption_key_unavailable', error.message, this.#logger);
    }
  }

  /** Drops every waiting envelope and the keys made ahead (node stopping); returns how many envelopes. */
  clear(): number {
    this.#sealingKeys.close();
    return this.#requests.clear().length;
  }

  #sealFor<E extends FameEnvelope>(envelope: E, address: string): E | undefined {
    const key = this.#recipients(address);
    if (!key) return undefined;
    return this.#seal(envelope, key.publicKey, key.kid);
  }

  #seal<E extends FameEnvelope>(envelope: E, recipientPublicKey: Uint8Array, recipientKid: string | undefined): E {
    return sealEnvelopeWith(this.#provider, envelope, this.#sealingKeys.take(recipientPublicKey), this.#alg, recipientKid);
  }

  #sendRequest(request: KeyRequestToSend): void {
    sendSafely(this.#host, createEnvelope({ corrId: request.corrId, frame: request.frame }), this.#logger, true);
  }
}
