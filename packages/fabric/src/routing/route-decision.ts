import type { DeliveryAckCode, LinkRole } from '@naylence/core';
import type { LocalBinding } from '../node/local-bindings.js';

/** A link as routing and hooks name it: its role and the neighbour's system id (`''` for the parent). */
export interface LinkRef {
  readonly role: LinkRole;
  readonly systemId: string;
}

/**
 * What a routing policy decides for one envelope (protocol-core §5.3). Policies are pure
 * functions of the envelope, where it came from and a read-only view of the node's routes; the
 * router carries the decision out.
 */
export type RouteDecision =
  | { readonly kind: 'deliver'; readonly binding: LocalBinding }
  | { readonly kind: 'forward'; readonly hop: LinkRef }
  | { readonly kind: 'nack'; readonly code: DeliveryAckCode; readonly reason?: string | undefined }
  | { readonly kind: 'drop'; readonly reason: string };

/** Where an envelope entered the node: a link (its far end), or undefined when originated here. */
export type Source = LinkRef | undefined;

const UPSTREAM: LinkRef = Object.freeze({ role: 'upstream', systemId: '' });
export const TO_UPSTREAM: RouteDecision = Object.freeze({ kind: 'forward', hop: UPSTREAM });
export const NO_ROUTE: RouteDecision = Object.freeze({ kind: 'nack', code: 'NO_ROUTE' });

export function deliverTo(binding: LocalBinding): RouteDecision {
  return { kind: 'deliver', binding };
}

export function nack(code: DeliveryAckCode, reason?: string): RouteDecision {
  return { kind: 'nack', code, reason };
}

export function drop(reason: string): RouteDecision {
  return { kind: 'drop', reason };
}

/** Whether `source` is the neighbour `systemId` (a route must never lead back to it). */
export function cameFrom(source: Source, systemId: string): boolean {
  return source !== undefined && source.role !== 'upstream' && source.systemId === systemId;
}
