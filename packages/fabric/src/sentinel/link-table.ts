import type { Authorizer, FameEnvelope, LinkRole } from '@naylence/core';
import type { Link } from '../link/link.js';
import type { LinkPeer } from '../link/link-peer.js';
import type { PendingRequests } from '../node/pending-requests.js';

/** One child or peer link of a sentinel, from accept (or dial, for peers) to close. */
export interface Neighbour {
  phase: 'pending' | 'attaching' | 'attached' | 'closed';
  readonly link: Link;
  /** The far end: role, system id, path once attached, authenticated principal. */
  readonly peer: LinkPeer;
  /** Envelopes that arrived before the attach completed, replayed after it (created when needed). */
  buffered: FameEnvelope[] | undefined;
  readonly routingEpoch: string;
  /** Acks to control requests we send on this link (binds to peers); made for the first one. */
  pending: PendingRequests | undefined;
  /** The authorizer of the listener that accepted the link (it vets the NodeAttach). */
  readonly authorizer: Authorizer | undefined;
  /** A peer link this sentinel dialed (not accepted). */
  readonly dialed: boolean;
  /** Logicals a peer asked for in its NodeAttach (undefined = any; not kept for children): a peer learns only routes under them. */
  logicals: readonly string[] | undefined;
  /** secureDigest of its path, once known (see `KnownSids`). */
  sid: string | undefined;
}

/**
 * A sentinel's children and peers: the links still attaching, and one attached link per
 * system id (a second attach with the same id replaces the first).
 */
export class LinkTable {
  readonly #attached = new Map<string, Neighbour>();
  readonly #pending = new Set<Neighbour>();

  /** System ids of attached children and peers. */
  get ids(): string[] {
    return [...this.#attached.keys()];
  }

  get(systemId: string): Neighbour | undefined {
    return this.#attached.get(systemId);
  }

  /** The role of an attached child or peer. */
  roleOf(systemId: string): LinkRole | undefined {
    return this.#attached.get(systemId)?.peer.role;
  }

  /** The attached neighbour of `systemId` if its link is still open. */
  live(systemId: string): Neighbour | undefined {
    const n = this.#attached.get(systemId);
    return n !== undefined && n.phase === 'attached' && n.link.isOpen ? n : undefined;
  }

  /** Whether `systemId` has an attached link that is still open. */
  isLive(systemId: string): boolean {
    const n = this.#attached.get(systemId);
    return n !== undefined && n.phase === 'attached' && n.link.isOpen;
  }

  /** Attached peer sentinels. */
  *peers(): Iterable<Neighbour> {
    for (const n of this.#attached.values()) if (n.peer.role === 'peer' && n.phase === 'attached') yield n;
  }

  /** Every link, attached or not (to close them all). */
  all(): Neighbour[] {
    return [...this.#attached.values(), ...this.#pending];
  }

  addPending(n: Neighbour): void {
    this.#pending.add(n);
  }

  dropPending(n: Neighbour): void {
    this.#pending.delete(n);
  }

  /** `n` becomes the attached link of its system id; returns the link it replaces, if any. */
  attach(n: Neighbour): Neighbour | undefined {
    this.#pending.delete(n);
    const previous = this.#attached.get(n.peer.systemId);
    this.#attached.set(n.peer.systemId, n);
    return previous !== n ? previous : undefined;
  }

  /** Forget `n`; true when it was the attached link of its system id. */
  remove(n: Neighbour): boolean {
    this.#pending.delete(n);
    if (this.#attached.get(n.peer.systemId) !== n) return false;
    this.#attached.delete(n.peer.systemId);
    return true;
  }
}
