/**
 * Envelopes waiting for something (a recipient's key, a channel handshake), grouped by what
 * they wait for, bounded per group and in number of groups: a flood of envelopes to unknown
 * destinations is refused with back pressure, never buffered without end.
 */
import { BackPressureError, type FameEnvelope } from '@naylence/core';

export interface PendingEnvelopesOptions {
  /** Envelopes per group. Default 64. */
  readonly maxPerGroup?: number;
  /** Groups (destinations) at once. Default 1024. */
  readonly maxGroups?: number;
}

export class PendingEnvelopes<E extends FameEnvelope = FameEnvelope> {
  /** What the envelopes wait for, in error messages ("a channel", "an encryption key"). */
  readonly what: string;
  readonly #maxPerGroup: number;
  readonly #maxGroups: number;
  readonly #groups = new Map<string, E[]>();

  constructor(what: string, options: PendingEnvelopesOptions = {}) {
    this.what = what;
    this.#maxPerGroup = options.maxPerGroup ?? 64;
    this.#maxGroups = options.maxGroups ?? 1024;
  }

  get groups(): number {
    return this.#groups.size;
  }

  /**
   * Queues `envelope` under `key`; true when it is the first of its group (start the handshake
   * or key request then).
   * @throws BackPressureError when the group or the number of groups is at its bound
   */
  add(key: string, envelope: E): boolean {
    const group = this.#groups.get(key);
    if (group) {
      if (group.length >= this.#maxPerGroup)
        throw new BackPressureError(`more than ${this.#maxPerGroup} envelopes wait for ${this.what} to ${key}`);
      group.push(envelope);
      return false;
    }
    if (this.#groups.size >= this.#maxGroups)
      throw new BackPressureError(`envelopes wait for ${this.what} to more than ${this.#maxGroups} destinations`);
    this.#groups.set(key, [envelope]);
    return true;
  }

  has(key: string): boolean {
    return this.#groups.has(key);
  }

  keys(): string[] {
    return [...this.#groups.keys()];
  }

  /** Removes and returns the group. */
  take(key: string): E[] {
    const group = this.#groups.get(key) ?? [];
    this.#groups.delete(key);
    return group;
  }

  /** Removes and returns everything (node stopping). */
  clear(): E[] {
    const all = [...this.#groups.values()].flat();
    this.#groups.clear();
    return all;
  }
}
