import type { FameEnvelope } from '@naylence/core';

/** Where an envelope is going when it leaves a node. */
export type ForwardTarget =
  | { readonly kind: 'upstream' }
  | { readonly kind: 'child'; readonly systemId: string }
  | { readonly kind: 'peer'; readonly systemId: string };

export interface AttachInfo {
  readonly systemId: string;
  readonly physicalPath: string;
  readonly parentSystemId: string;
  readonly parentPhysicalPath: string;
  readonly routingEpoch: string | undefined;
}

export interface DetachInfo {
  readonly code: number;
  readonly reason: string;
}

export interface ChildInfo {
  readonly systemId: string;
  readonly physicalPath: string;
  readonly originType: 'downstream' | 'peer';
}

/**
 * Observers of a node's envelope traffic and lifecycle, for security, telemetry and tests.
 * Every method is optional; a node without hooks skips the calls entirely. Hooks observe:
 * they must not throw and must not mutate envelopes (use `EnvelopeSecurity` to transform).
 */
export interface NodeHooks {
  /** An envelope arrived over a link, before any handling. */
  onEnvelopeReceived?(envelope: FameEnvelope, from: ForwardTarget): void;
  /** An envelope is about to leave over a link. */
  onBeforeForward?(envelope: FameEnvelope, to: ForwardTarget): void;
  /** An envelope is about to be handed to a local handler. */
  onBeforeDeliver?(envelope: FameEnvelope, address: string): void;
  /** Dropped without delivery (no route, TTL, rejected); `code` says why. */
  onDropped?(envelope: FameEnvelope, code: string, reason: string): void;
  onAttached?(info: AttachInfo): void;
  onDetached?(info: DetachInfo): void;
  /** A sentinel accepted a child or peer. */
  onChildAttached?(info: ChildInfo): void;
  onChildDetached?(info: ChildInfo & DetachInfo): void;
}
