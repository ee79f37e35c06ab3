/**
 * Outstanding KeyRequests of this node and the envelopes waiting for their keys (§4.4):
 * a request per unknown kid, re-sent with a fresh `corrId` after `timeoutMs` up to
 * `maxAttempts` sends in all (the reference: 5 s, 3), then given up. Bounded: at most
 * `maxPendingPerKid` waiting items per kid and `maxOutstanding` kids, so a peer naming random
 * kids cannot grow memory. Clock-driven and timer-free: the owner calls `sweep()` on its own
 * schedule (the reference sweeps every 10 s).
 */
import { randomId, type KeyRequestFrame } from '@naylence/core';
import { keyRequestFrame } from './key-frames.js';

export const KEY_REQUEST_TIMEOUT_MS = 5_000;
export const KEY_REQUEST_MAX_ATTEMPTS = 3;
export const KEY_REQUEST_SWEEP_INTERVAL_MS = 10_000;

/** A KeyRequest to send: on link `target`, as an envelope with this `corrId`. */
export interface KeyRequestToSend {
  /** The requested kid, or the address for a by-address request. */
  readonly kid: string;
  readonly target: string;
  readonly corrId: string;
  readonly frame: KeyRequestFrame;
}

export interface KeyRequestTrackerOptions {
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxPendingPerKid?: number;
  readonly maxOutstanding?: number;
  /** Monotonic milliseconds; default `performance.now()`. */
  readonly now?: () => number;
}

interface Outstanding<T> {
  readonly kid: string;
  readonly by: 'kid' | 'address';
  readonly target: string;
  physicalPath: string | undefined;
  readonly corrIds: Set<string>;
  readonly items: T[];
  attempts: number;
  deadline: number;
}

export type TrackResult =
  /** First envelope for this kid: send this request. */
  | { readonly status: 'send'; readonly request: KeyRequestToSend }
  /** A request is already out; the item waits with the others. */
  | { readonly status: 'queued' }
  /** Bounds reached: the item was not kept (log it; NACK or drop per policy). */
  | { readonly status: 'dropped'; readonly reason: string };

export class KeyRequestTracker<T> {
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #maxPending: number;
  readonly #maxOutstanding: number;
  readonly #now: () => number;
  readonly #byKid = new Map<string, Outstanding<T>>();
  readonly #byCorrId = new Map<string, Outstanding<T>>();

  constructor(options: KeyRequestTrackerOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? KEY_REQUEST_TIMEOUT_MS;
    this.#maxAttempts = options.maxAttempts ?? KEY_REQUEST_MAX_ATTEMPTS;
    this.#maxPending = options.maxPendingPerKid ?? 64;
    this.#maxOutstanding = options.maxOutstanding ?? 1024;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Kids with a request out. */
  get outstanding(): number {
    return this.#byKid.size;
  }

  /** The kids (or addresses) with a request out. */
  outstandingKids(): string[] {
    return [...this.#byKid.keys()];
  }

  /**
   * `item` (typically an envelope and its context) needs key `kid`, to be asked of link
   * `target` (the parent, or the peer it came from); `physicalPath` is this node's own path.
   * With `by: 'address'`, `kid` is a FAME address whose encryption key is wanted (sealed
   * encryption, §5.2) and the request is `KeyRequest{address, physicalPath}`.
   */
  track(kid: string, target: string, item: T, physicalPath?: string, by: 'kid' | 'address' = 'kid'): TrackResult {
    const existing = this.#byKid.get(kid);
    if (existing) {
      if (existing.items.length >= this.#maxPending)
        return { status: 'dropped', reason: `more than ${this.#maxPending} envelopes wait for key ${kid}` };
      existing.items.push(item);
      return { status: 'queued' };
    }
    if (this.#byKid.size >= this.#maxOutstanding)
      return { status: 'dropped', reason: `more than ${this.#maxOutstanding} keys are being requested` };
    const entry: Outstanding<T> = { kid, by, target, physicalPath, corrIds: new Set(), items: [item], attempts: 0, deadline: 0 };
    this.#byKid.set(kid, entry);
    return { status: 'send', request: this.#send(entry) };
  }

  /**
   * The request a KeyAnnounce with `corrId` that arrived from link `from` answers, if any.
   * Only such an announce may skip the sid check (W4). The request stays outstanding until
   * {@link release} (its key may still be refused).
   */
  answer(corrId: string, from: string): { readonly kid: string } | undefined {
    const entry = this.#byCorrId.get(corrId);
    return entry && entry.target === from ? { kid: entry.kid } : undefined;
  }

  /** The key `kid` is now stored: the request ends and its waiting items are returned for replay. */
  release(kid: string): T[] {
    const entry = this.#byKid.get(kid);
    if (!entry) return [];
    this.#forget(entry);
    return entry.items;
  }

  /**
   * Expired requests: re-sent (fresh corrId) while attempts remain, else given up with their
   * waiting items (drop them with a log line, or NACK them).
   */
  sweep(now: number = this.#now()): {
    readonly resend: KeyRequestToSend[];
    readonly failed: { readonly kid: string; readonly items: T[] }[];
  } {
    const resend: KeyRequestToSend[] = [];
    const failed: { kid: string; items: T[] }[] = [];
    for (const entry of [...this.#byKid.values()]) {
      if (now < entry.deadline) continue;
      if (entry.attempts < this.#maxAttempts) resend.push(this.#send(entry, now));
      else {
        this.#forget(entry);
        failed.push({ kid: entry.kid, items: entry.items });
      }
    }
    return { resend, failed };
  }

  /**
   * Every outstanding request again (after a re-attach), with this node's new path; with
   * `target`, only the requests asked of that link.
   */
  resendAll(physicalPath?: string, target?: string): KeyRequestToSend[] {
    const entries = [...this.#byKid.values()].filter((entry) => target === undefined || entry.target === target);
    return entries.map((entry) => {
      if (physicalPath !== undefined) entry.physicalPath = physicalPath;
      entry.attempts = 0;
      return this.#send(entry);
    });
  }

  /** Drops everything (node stopping); returns the waiting items. */
  clear(): T[] {
    const items = [...this.#byKid.values()].flatMap((entry) => entry.items);
    this.#byKid.clear();
    this.#byCorrId.clear();
    return items;
  }

  #send(entry: Outstanding<T>, now: number = this.#now()): KeyRequestToSend {
    const corrId = randomId();
    entry.corrIds.add(corrId);
    this.#byCorrId.set(corrId, entry);
    entry.attempts++;
    entry.deadline = now + this.#timeoutMs;
    const frame = keyRequestFrame({
      [entry.by]: entry.kid,
      ...(entry.physicalPath !== undefined && { physicalPath: entry.physicalPath }),
    });
    return { kid: entry.kid, target: entry.target, corrId, frame };
  }

  #forget(entry: Outstanding<T>): void {
    this.#byKid.delete(entry.kid);
    for (const corrId of entry.corrIds) this.#byCorrId.delete(corrId);
  }
}
