import { Registry, type FameEnvelope } from '@naylence/core';

/** Picks one of several equivalent routes (pool members, capability providers). */
export interface LoadBalancer {
  readonly name: string;
  /** One of `candidates` (non-empty, system ids). */
  pick(candidates: readonly string[], envelope: FameEnvelope): string;
}

/**
 * 53-bit string hash (cyrb53). Rendezvous hashing only needs good mixing, not a cryptographic
 * hash; assignments differ from the reference's SHA-256 ones, which no peer depends on.
 */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Rendezvous (highest random weight) hashing: each candidate scores hash(`{candidate}:{salt}`)
 * and the highest wins, so the same salt always lands on the same member while the member set
 * is unchanged, and removing a member only moves that member's keys. The salt is
 * `envelope.meta[stickyAttribute]` when it is a non-empty string, else the envelope id.
 */
export function hrwLoadBalancer(options?: { stickyAttribute?: string }): LoadBalancer {
  const attribute = options?.stickyAttribute;
  return {
    name: attribute ? 'sticky-hrw' : 'hrw',
    pick(candidates, envelope) {
      const sticky = attribute ? envelope.meta?.[attribute] : undefined;
      const salt = typeof sticky === 'string' && sticky !== '' ? sticky : envelope.id;
      let best = candidates[0]!;
      let bestScore = -1;
      for (const candidate of candidates) {
        const score = hash53(`${candidate}:${salt}`);
        if (score > bestScore || (score === bestScore && candidate < best)) {
          best = candidate;
          bestScore = score;
        }
      }
      return best;
    },
  };
}

/** Each candidate in turn (candidates are taken in sorted order so the rotation is stable). */
export function roundRobinLoadBalancer(): LoadBalancer {
  let next = 0;
  return {
    name: 'round-robin',
    pick(candidates) {
      const sorted = [...candidates].sort();
      const choice = sorted[next % sorted.length]!;
      next = (next + 1) % 1_000_000_007;
      return choice;
    },
  };
}

export function randomLoadBalancer(random: () => number = Math.random): LoadBalancer {
  return {
    name: 'random',
    pick: (candidates) => candidates[Math.floor(random() * candidates.length)]!,
  };
}

/** Load balancers by the reference's profile names (`load_balancing` config). */
export const loadBalancers = new Registry<() => LoadBalancer>('load balancer')
  .register('hrw', () => hrwLoadBalancer())
  .register('sticky-hrw', () => hrwLoadBalancer({ stickyAttribute: 'session_id' }))
  .register('round-robin', roundRobinLoadBalancer)
  .register('round_robin', roundRobinLoadBalancer)
  .register('development', roundRobinLoadBalancer)
  .register('random', () => randomLoadBalancer());
