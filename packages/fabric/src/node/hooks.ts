import type { FameEnvelope } from '@naylence/core';
import type { LinkRef } from '../routing/route-decision.js';

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

/** A child or peer of a sentinel. */
export interface ChildInfo {
  readonly systemId: string;
  readonly physicalPath: string;
  readonly role: 'downstream' | 'peer';
}

/**
 * Observers of a node's envelope traffic and lifecycle, for telemetry, diagnostics and tests.
 * Every method is optional; a node without hooks skips the calls entirely. Hooks observe:
 * they must not throw and must not mutate envelopes (a `NodeSecurity` stage transforms).
 */
export interface NodeHooks {
  /** An envelope arrived over a link (after the inbound security stage), before any handling. */
  onEnvelopeReceived?(envelope: FameEnvelope, from: LinkRef): void;
  /** An envelope is about to leave over a link (before the outbound security stage). */
  onBeforeForward?(envelope: FameEnvelope, to: LinkRef): void;
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
