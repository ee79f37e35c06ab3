import type { NodeParts } from './node-role.js';
import type { UpstreamSession } from './upstream-session.js';

/**
 * A node's components, for the fabric's own tests and diagnostics. Not exported from the
 * package: applications see only the public API.
 */
export interface NodeInternals {
  readonly parts: NodeParts;
  upstream(): UpstreamSession | undefined;
  /** Role-specific components (the sentinel's links and routes). */
  role?: unknown;
}

const registry = new WeakMap<object, NodeInternals>();

export function registerInternals(node: object, internals: NodeInternals): void {
  registry.set(node, internals);
}

export function internalsOf(node: object): NodeInternals {
  const internals = registry.get(node);
  if (internals === undefined) throw new Error('not a FameNode');
  return internals;
}
