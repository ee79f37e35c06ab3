/**
 * X25519 key pairs made ahead of time for sealed envelopes (protocol-security §5.2): a seal
 * takes one and the pool is refilled in a later macrotask, off the path of the message that
 * took it. Making the pair is a third of a seal; a sequential sealed RPC seals twice in series,
 * so each of those messages goes out that much sooner. Each pair is handed out once and then
 * belongs to the seal that took it (which zeroes the private key when done); the pool is
 * bounded and never waits: when it is empty a seal makes its pair itself. Provider-agnostic.
 */
import { scheduleMacrotask } from '@naylence/core';
import type { CryptoProvider, RawKeyPair } from '../crypto/provider.js';

export const DEFAULT_EPHEMERAL_KEY_PAIRS = 4;

export class EphemeralKeyPairs {
  readonly #provider: CryptoProvider;
  readonly #size: number;
  #pairs: RawKeyPair[] = [];
  #refilling = false;
  #closed = false;

  /** @param size pairs kept ready (0: none, every pair is made when taken) */
  constructor(provider: CryptoProvider, size = DEFAULT_EPHEMERAL_KEY_PAIRS) {
    this.#provider = provider;
    this.#size = Math.max(0, Math.floor(size));
  }

  /** Pairs kept ready (0: none). */
  get size(): number {
    return this.#size;
  }

  /** Pairs ready now. */
  get ready(): number {
    return this.#pairs.length;
  }

  /** A pair no one else has or will get; the pool starts refilling after the current task. */
  take(): RawKeyPair {
    this.#closed = false;
    const pair = this.#pairs.pop() ?? this.#provider.x25519.generateKeyPair();
    this.#refill();
    return pair;
  }

  /** Drops the pairs made ahead (private keys zeroed) and makes no more until the next {@link take}. */
  close(): void {
    this.#closed = true;
    for (const pair of this.#pairs) pair.privateKey.fill(0);
    this.#pairs = [];
  }

  #refill(): void {
    if (this.#refilling || this.#closed || this.#pairs.length >= this.#size) return;
    this.#refilling = true;
    // One pair per macrotask, so a refill never holds up other work for long.
    scheduleMacrotask(() => {
      this.#refilling = false;
      if (this.#closed || this.#pairs.length >= this.#size) return;
      try {
        this.#pairs.push(this.#provider.x25519.generateKeyPair());
      } catch {
        return; // a seal will make its own pair (and throw there, if it must)
      }
      this.#refill();
    });
  }
}
