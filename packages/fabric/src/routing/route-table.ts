import { hostMatchesPool, isPoolPattern, poolSpecificity, tryParseAddress } from '@naylence/core';

/** A neighbour an address is routed to: a child (`downstream`) or a peer sentinel. */
export interface RouteOwner {
  readonly systemId: string;
  readonly kind: 'downstream' | 'peer';
}

interface Owned {
  readonly addresses: Set<string>;
  /** `participant@pattern` keys of pools the segment is a member of. */
  readonly pools: Set<string>;
  /** `capability\u0000address` pairs the segment advertised. */
  readonly capabilities: Set<string>;
}

interface Pool {
  readonly participant: string;
  readonly pattern: string;
  readonly specificity: number;
  readonly members: Set<string>;
}

/** What removing a segment took away, for propagating unbinds and withdrawals upstream. */
export interface RemovedRoutes {
  /** Exact addresses the segment owned. */
  readonly addresses: string[];
  /** Pool addresses (`participant@pattern`) that now have no member. */
  readonly emptiedPools: string[];
  /** Capabilities that now have no provider at all, with an address they were advertised at. */
  readonly lostCapabilities: { capability: string; address: string }[];
}

/**
 * A sentinel's routes (protocol-core §5.1): exact addresses bound by children and peers,
 * pools (`name@*.domain`) with their member children, and capabilities advertised by children.
 * Every entry remembers its owning segment, so a segment's routes can be removed in one step
 * when its link closes.
 */
export class RouteTable {
  readonly #addresses = new Map<string, RouteOwner>();
  readonly #pools = new Map<string, Pool[]>();
  readonly #capabilities = new Map<string, Map<string, string>>();
  readonly #owned = new Map<string, Owned>();

  #ownedBy(segment: string): Owned {
    let owned = this.#owned.get(segment);
    if (!owned) {
      owned = { addresses: new Set(), pools: new Set(), capabilities: new Set() };
      this.#owned.set(segment, owned);
    }
    return owned;
  }

  /**
   * Record an AddressBind. A pool address adds the owner to the pool; an exact address
   * replaces any previous owner (as the reference does). Returns the previous owner if replaced.
   */
  bind(address: string, owner: RouteOwner): { pool: boolean; replaced?: RouteOwner } {
    const parsed = tryParseAddress(address);
    if (parsed?.host !== undefined && parsed.path === undefined && isPoolPattern(parsed.host)) {
      let pools = this.#pools.get(parsed.participant);
      if (!pools) this.#pools.set(parsed.participant, (pools = []));
      let pool = pools.find((p) => p.pattern === parsed.host);
      if (!pool) {
        pool = { participant: parsed.participant, pattern: parsed.host, specificity: poolSpecificity(parsed.host), members: new Set() };
        pools.push(pool);
        pools.sort((a, b) => b.specificity - a.specificity);
      }
      pool.members.add(owner.systemId);
      this.#ownedBy(owner.systemId).pools.add(address);
      return { pool: true };
    }
    const previous = this.#addresses.get(address);
    if (previous && previous.systemId !== owner.systemId) this.#owned.get(previous.systemId)?.addresses.delete(address);
    this.#addresses.set(address, owner);
    this.#ownedBy(owner.systemId).addresses.add(address);
    return previous && previous.systemId !== owner.systemId ? { pool: false, replaced: previous } : { pool: false };
  }

  /** Record an AddressUnbind; only the owner may remove a route. Returns whether anything changed. */
  unbind(address: string, segment: string): { removed: boolean; poolEmptied: boolean } {
    const owned = this.#owned.get(segment);
    if (owned?.pools.has(address)) {
      owned.pools.delete(address);
      return { removed: true, poolEmptied: this.#leavePool(address, segment) };
    }
    if (this.#addresses.get(address)?.systemId !== segment) return { removed: false, poolEmptied: false };
    this.#addresses.delete(address);
    owned?.addresses.delete(address);
    return { removed: true, poolEmptied: false };
  }

  /** Record a CapabilityAdvertise. Returns the capabilities that had no provider before. */
  advertise(capabilities: readonly string[], address: string, segment: string): string[] {
    const fresh: string[] = [];
    const owned = this.#ownedBy(segment);
    for (const capability of capabilities) {
      let providers = this.#capabilities.get(capability);
      if (!providers) this.#capabilities.set(capability, (providers = new Map<string, string>()));
      if (providers.size === 0) fresh.push(capability);
      providers.set(address, segment);
      owned.capabilities.add(`${capability}\u0000${address}`);
    }
    return fresh;
  }

  /** Record a CapabilityWithdraw (entries owned by `segment` only). Returns capabilities now without a provider. */
  withdraw(capabilities: readonly string[], address: string, segment: string): string[] {
    const lost: string[] = [];
    const owned = this.#owned.get(segment);
    for (const capability of capabilities) {
      const providers = this.#capabilities.get(capability);
      if (providers?.get(address) !== segment) continue;
      providers.delete(address);
      owned?.capabilities.delete(`${capability}\u0000${address}`);
      if (providers.size === 0) {
        this.#capabilities.delete(capability);
        lost.push(capability);
      }
    }
    return lost;
  }

  /** Remove every route owned by `segment`. */
  removeSegment(segment: string): RemovedRoutes {
    const owned = this.#owned.get(segment);
    this.#owned.delete(segment);
    const removed: RemovedRoutes = { addresses: [], emptiedPools: [], lostCapabilities: [] };
    if (!owned) return removed;
    for (const address of owned.addresses) {
      if (this.#addresses.get(address)?.systemId === segment) {
        this.#addresses.delete(address);
        removed.addresses.push(address);
      }
    }
    for (const poolAddress of owned.pools) if (this.#leavePool(poolAddress, segment)) removed.emptiedPools.push(poolAddress);
    for (const key of owned.capabilities) {
      const [capability, address] = key.split('\u0000') as [string, string];
      const providers = this.#capabilities.get(capability);
      if (providers?.get(address) !== segment) continue;
      providers.delete(address);
      if (providers.size === 0) {
        this.#capabilities.delete(capability);
        removed.lostCapabilities.push({ capability, address });
      }
    }
    return removed;
  }

  /** Owner of an exact address. */
  exact(address: string): RouteOwner | undefined {
    return this.#addresses.get(address);
  }

  /** Members of the most specific pool of `participant` whose pattern matches `host`. */
  poolMembers(participant: string, host: string): ReadonlySet<string> | undefined {
    const pools = this.#pools.get(participant);
    if (!pools) return undefined;
    for (const pool of pools) if (pool.members.size > 0 && hostMatchesPool(host, pool.pattern)) return pool.members;
    return undefined;
  }

  /** Segments that provide every capability in `capabilities` (intersection). */
  capabilityProviders(capabilities: readonly string[]): string[] {
    let result: Set<string> | undefined;
    for (const capability of capabilities) {
      const providers = this.#capabilities.get(capability);
      const segments = new Set<string>(providers ? providers.values() : []);
      result = result === undefined ? segments : new Set([...result].filter((s) => segments.has(s)));
      if (result.size === 0) return [];
    }
    return result ? [...result] : [];
  }

  /** Everything a segment currently owns, for re-announcing upstream after our own re-attach. */
  entries(): { addresses: [string, RouteOwner][]; pools: string[]; capabilities: { capability: string; address: string }[] } {
    const pools: string[] = [];
    for (const list of this.#pools.values()) for (const p of list) if (p.members.size > 0) pools.push(`${p.participant}@${p.pattern}`);
    const capabilities: { capability: string; address: string }[] = [];
    for (const [capability, providers] of this.#capabilities) {
      const first = providers.keys().next();
      if (!first.done) capabilities.push({ capability, address: first.value });
    }
    return { addresses: [...this.#addresses], pools, capabilities };
  }

  /** Number of segments with any route (for tests and metrics). */
  get segmentCount(): number {
    return this.#owned.size;
  }

  #leavePool(poolAddress: string, segment: string): boolean {
    const parsed = tryParseAddress(poolAddress);
    if (parsed?.host === undefined) return false;
    const pools = this.#pools.get(parsed.participant);
    const pool = pools?.find((p) => p.pattern === parsed.host);
    if (!pools || !pool) return false;
    pool.members.delete(segment);
    if (pool.members.size > 0) return false;
    pools.splice(pools.indexOf(pool), 1);
    if (pools.length === 0) this.#pools.delete(parsed.participant);
    return true;
  }
}
