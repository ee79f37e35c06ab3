import {
  hostMatchesPool,
  isPoolPattern,
  locationHost,
  parseAddress,
  poolSpecificity,
  splitAddress,
  type EnvelopeOrigin,
  type FameEnvelope,
} from '@naylence/core';

/** Where an envelope handed to a local handler came from. */
export interface DeliveryContext {
  /** This node (`local`), or the side of the link it arrived on. */
  readonly origin: EnvelopeOrigin;
  /** System id of the neighbour it arrived from, when it came over a link from a child or peer. */
  readonly fromSystemId?: string;
  /**
   * The envelope as it reached this node, before the deliver security stage transformed it
   * (e.g. decrypted it); absent when nothing transformed it. Pass it as `inReplyTo` when you
   * answer, so security can answer at the same protection level.
   */
  readonly received?: FameEnvelope;
}

/**
 * Receives envelopes delivered to a local address. Return a promise to hold back the
 * sender's flow-control credit until it settles (back-pressure); return nothing to accept at
 * once. Must not throw.
 */
export type EnvelopeHandler = (envelope: FameEnvelope, context: DeliveryContext) => void | Promise<unknown>;

export interface LocalBinding {
  readonly address: string;
  readonly handler: EnvelopeHandler;
  readonly capabilities: readonly string[];
}

interface PoolEntry {
  readonly pattern: string;
  readonly specificity: number;
  readonly binding: LocalBinding;
}

/**
 * The addresses a node serves itself. Lookup order (protocol-core §5.6): exact address, then
 * a physical address `name@{ourPath}` by participant, then the most specific pool pattern
 * matching the host.
 */
export class LocalBindings {
  readonly #exact = new Map<string, LocalBinding>();
  readonly #physical = new Map<string, LocalBinding>();
  readonly #pools = new Map<string, PoolEntry[]>();

  get size(): number {
    return this.#exact.size + this.#physical.size;
  }

  has(address: string): boolean {
    return this.#exact.has(address) || this.#physicalKey(address) !== undefined;
  }

  all(): LocalBinding[] {
    return [...this.#exact.values(), ...this.#physical.values()];
  }

  add(binding: LocalBinding): void {
    const parsed = parseAddress(binding.address);
    if (parsed.host === undefined) {
      this.#physical.set(parsed.participant, binding);
      return;
    }
    this.#exact.set(binding.address, binding);
    if (parsed.path === undefined && isPoolPattern(parsed.host)) {
      const entries = this.#pools.get(parsed.participant) ?? [];
      entries.push({ pattern: parsed.host, specificity: poolSpecificity(parsed.host), binding });
      entries.sort((a, b) => b.specificity - a.specificity);
      this.#pools.set(parsed.participant, entries);
    }
  }

  remove(address: string): LocalBinding | undefined {
    const physical = this.#physicalKey(address);
    if (physical !== undefined) {
      const binding = this.#physical.get(physical);
      this.#physical.delete(physical);
      return binding;
    }
    const binding = this.#exact.get(address);
    if (!binding) return undefined;
    this.#exact.delete(address);
    const parsed = parseAddress(address);
    const entries = this.#pools.get(parsed.participant);
    if (entries) {
      const rest = entries.filter((e) => e.binding !== binding);
      if (rest.length) this.#pools.set(parsed.participant, rest);
      else this.#pools.delete(parsed.participant);
    }
    return binding;
  }

  /** The binding for destination `to` at a node whose physical path is `physicalPath`. */
  resolve(to: string, physicalPath: string): LocalBinding | undefined {
    const exact = this.#exact.get(to);
    if (exact) return exact;
    const parts = splitAddress(to);
    if (parts === undefined) return undefined;
    const { participant, location } = parts;
    if (location.charCodeAt(0) === 47 /* '/' */) {
      return location === physicalPath && physicalPath !== '' ? this.#physical.get(participant) : undefined;
    }
    const entries = this.#pools.get(participant);
    if (!entries) return undefined;
    const host = locationHost(location);
    for (const entry of entries) if (hostMatchesPool(host, entry.pattern)) return entry.binding;
    return undefined;
  }

  /** A local binding that provides every capability in `capabilities`. */
  byCapabilities(capabilities: readonly string[]): LocalBinding | undefined {
    if (capabilities.length === 0) return undefined;
    for (const binding of this.all()) {
      if (capabilities.every((c) => binding.capabilities.includes(c))) return binding;
    }
    return undefined;
  }

  #physicalKey(address: string): string | undefined {
    const parts = splitAddress(address);
    if (parts === undefined || parts.location.charCodeAt(0) !== 47) return undefined;
    return this.#physical.has(parts.participant) ? parts.participant : undefined;
  }
}
