import { FameError, isPoolPattern, isReservedParticipant, matchPool, parseAddress } from '@naylence/core';

/** How one `bind(address)` is served locally and announced to the parent. */
export interface BindingPlan {
  /** Addresses bound locally (a pool bind adds the pool and the instance address). */
  readonly localAddresses: readonly string[];
  /** The address announced to the parent with AddressBind, if any. */
  readonly upstreamAddress: string | undefined;
  /** Address capabilities are advertised at; a physical address follows the node's current path. */
  readonly advertise: { readonly address: string } | { readonly participant: string } | undefined;
}

/**
 * Plans a bind (protocol-core §2.4, §4.5): names under one of the node's logicals are announced
 * to the parent; a pool logical (`*.fame.fabric`) binds the pool address and an instance
 * address `name@{systemId}.fame.fabric`; physical and reserved addresses stay local.
 * @throws FameError `INVALID_ADDRESS` for a malformed address or a logical the node may not use
 */
export function planBinding(
  address: string,
  node: { readonly systemId: string; readonly hasParent: boolean; readonly acceptedLogicals: readonly string[] },
): BindingPlan {
  const parsed = parseAddress(address);
  const host = parsed.host;
  if (host === undefined) return { localAddresses: [address], upstreamAddress: undefined, advertise: { participant: parsed.participant } };
  if (parsed.path !== undefined || isReservedParticipant(parsed.participant) || !node.hasParent) {
    return { localAddresses: [address], upstreamAddress: undefined, advertise: { address } };
  }
  const accepted = node.acceptedLogicals;
  const anyLogical = accepted.includes('*') || accepted.includes(host);
  const pool = isPoolPattern(host) ? host : anyLogical ? undefined : matchPool(host, accepted.filter(isPoolPattern));
  if (pool !== undefined) {
    const poolAddress = `${parsed.participant}@${pool}`;
    const instance = `${parsed.participant}@${node.systemId}${pool === '*' ? '' : pool.slice(1)}`;
    return { localAddresses: [poolAddress, instance], upstreamAddress: poolAddress, advertise: { address: instance } };
  }
  if (anyLogical) return { localAddresses: [address], upstreamAddress: address, advertise: { address } };
  throw new FameError('INVALID_ADDRESS', `cannot bind ${address}: ${host} is not one of this node's logicals (${accepted.join(', ')})`);
}
