import type { Logger } from '@naylence/core';
import type { BindingPlan } from './binding-plan.js';
import type { Identity } from './identity.js';
import type { UpstreamSession } from './upstream-session.js';

/** One address the application bound, as the parent should know it. */
export interface Declared extends BindingPlan {
  readonly capabilities: readonly string[];
}

/**
 * Tells the parent what this node serves: AddressBind, then CapabilityAdvertise, for every
 * bound address, at bind time and again after every (re-)attach and routing-epoch change
 * (idempotent on the parent); AddressUnbind and CapabilityWithdraw when an address goes.
 */
export class Announcer {
  readonly #declared = new Map<string, Declared>();
  readonly #identity: Identity;
  readonly #logger: Logger;
  readonly #upstream: () => UpstreamSession | undefined;

  constructor(identity: Identity, logger: Logger, upstream: () => UpstreamSession | undefined) {
    this.#identity = identity;
    this.#logger = logger;
    this.#upstream = upstream;
  }

  /** Record a binding and announce it if we are attached. */
  async declare(address: string, declared: Declared): Promise<void> {
    this.#declared.set(address, declared);
    if (this.#upstream()?.isAttached) await this.#announce(declared);
  }

  /** Forget a binding (nothing is sent); returns what it was, if anything. */
  forget(address: string): Declared | undefined {
    const declared = this.#declared.get(address);
    this.#declared.delete(address);
    return declared;
  }

  /** Tell the parent that a forgotten binding is gone, if we are attached. */
  async withdraw(declared: Declared): Promise<void> {
    const session = this.#upstream();
    if (!session?.isAttached) return;
    const replyTo = this.#identity.systemInbox;
    const requests: Promise<unknown>[] = [];
    const advertised = this.#advertiseAddress(declared);
    if (advertised && declared.capabilities.length) {
      requests.push(
        session.request({ type: 'CapabilityWithdraw', capabilities: [...declared.capabilities], address: advertised }, replyTo),
      );
    }
    if (declared.upstreamAddress) requests.push(session.request({ type: 'AddressUnbind', address: declared.upstreamAddress }, replyTo));
    await Promise.all(requests);
  }

  /** Re-send AddressBind / CapabilityAdvertise for everything we serve. */
  async announceAll(): Promise<void> {
    const results = await Promise.allSettled([...this.#declared.values()].map((d) => this.#announce(d)));
    for (const r of results)
      if (r.status === 'rejected') this.#logger.warn({ err: r.reason as unknown }, 'bind/advertise to the parent failed');
  }

  async #announce(declared: Declared): Promise<void> {
    const session = this.#upstream();
    if (!session?.isAttached) return;
    const identity = this.#identity;
    if (declared.upstreamAddress) {
      await session.request(
        { type: 'AddressBind', address: declared.upstreamAddress, physicalPath: identity.physicalPath },
        identity.systemInbox,
      );
    }
    const advertised = this.#advertiseAddress(declared);
    if (advertised && declared.capabilities.length) {
      await session.request(
        { type: 'CapabilityAdvertise', capabilities: [...declared.capabilities], address: advertised },
        identity.systemInbox,
      );
    }
  }

  #advertiseAddress(declared: Declared): string | undefined {
    const advertise = declared.advertise;
    if (advertise === undefined) return undefined;
    return 'address' in advertise ? advertise.address : this.#identity.physicalAddressOf(advertise.participant);
  }
}
