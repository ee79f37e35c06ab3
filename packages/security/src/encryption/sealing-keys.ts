/**
 * Sealing keys agreed ahead of time (protocol-security §5.2). A seal needs an ephemeral pair
 * (made ahead by {@link EphemeralKeyPairs}), its X25519 agreement with the recipient and an HKDF:
 * the last two are most of what is left of a seal once the pair is ready. When a node seals to
 * the same recipient twice in a row (an agent answering one client, a client calling one
 * agent), the next key for that recipient is agreed in a later macrotask, off the path of the
 * message, and the next seal to it only runs the AEAD. Patterns that change recipient on every
 * seal get nothing made ahead, so no agreement is wasted. One key is kept ready, for one
 * recipient; it is zeroed when replaced or on {@link close}. Provider-agnostic.
 */
import { scheduleMacrotask } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { EphemeralKeyPairs } from './ephemeral-key-pairs.js';
import { deriveSealingKey, type SealingKey } from './sealed-envelope.js';

export class SealingKeys {
  readonly #provider: CryptoProvider;
  readonly #pairs: EphemeralKeyPairs;
  /** Agreed ahead for one recipient, handed out once. */
  #ready: SealingKey | undefined;
  /** The recipient of the last seal. */
  #last: Uint8Array | undefined;
  #preparing = false;

  /** @param pairs ephemeral pairs made ahead (0: none, and no keys agreed ahead either) */
  constructor(provider: CryptoProvider, pairs?: number) {
    this.#provider = provider;
    this.#pairs = new EphemeralKeyPairs(provider, pairs);
  }

  /** Whether a key agreed ahead is waiting for `recipientPublicKey`. */
  isReadyFor(recipientPublicKey: Uint8Array): boolean {
    return this.#ready !== undefined && this.#sameKey(this.#ready.recipientPublicKey, recipientPublicKey);
  }

  /**
   * A key for one seal to this recipient: the one agreed ahead when it is for this recipient,
   * else agreed now.
   * @throws InvalidKeyError (bad recipient key)
   */
  take(recipientPublicKey: Uint8Array): SealingKey {
    const ready = this.#ready;
    let key: SealingKey;
    if (ready !== undefined && this.#sameKey(ready.recipientPublicKey, recipientPublicKey)) {
      this.#ready = undefined;
      key = ready;
    } else {
      key = deriveSealingKey(this.#provider, this.#pairs.take(), recipientPublicKey);
    }
    const again = this.#last !== undefined && this.#sameKey(this.#last, recipientPublicKey);
    this.#last = recipientPublicKey;
    if (again || key === ready) this.#prepare(recipientPublicKey);
    return key;
  }

  /** Zeroes and drops what was made ahead; nothing more is made until the next {@link take}. */
  close(): void {
    this.#pairs.close();
    this.#discard();
    this.#last = undefined;
  }

  /** The same key, by its bytes (most often the same array: recipients' keys are decoded once per key record). */
  #sameKey(a: Uint8Array, b: Uint8Array): boolean {
    return a === b || this.#provider.timingSafeEqual(a, b);
  }

  #discard(): void {
    this.#ready?.key.fill(0);
    this.#ready = undefined;
  }

  #prepare(recipientPublicKey: Uint8Array): void {
    if (this.#preparing || this.#pairs.size === 0) return;
    this.#preparing = true;
    scheduleMacrotask(() => {
      this.#preparing = false;
      if (this.#last === undefined || !this.#sameKey(this.#last, recipientPublicKey) || this.isReadyFor(recipientPublicKey)) return;
      this.#discard();
      try {
        this.#ready = deriveSealingKey(this.#provider, this.#pairs.take(), recipientPublicKey);
      } catch {
        // the next seal agrees its own key (and throws there, if it must)
      }
    });
  }
}
