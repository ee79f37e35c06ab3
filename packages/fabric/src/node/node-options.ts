import type { Logger, NodeSecurity } from '@naylence/core';
import type { LinkSettings } from '../link/link-peer.js';
import type { NodeHooks } from './hooks.js';
import type { UpstreamOptions } from './upstream-session.js';

export interface NodeOptions {
  /** System id; default a random 16-character id (unique per process, unlike the reference's fingerprint). */
  readonly systemId?: string;
  /**
   * Where the node logs; children get `{ nodeId }` and link bindings. Default: nothing is
   * logged (a library stays silent and browser-safe unless the application hands it a logger,
   * e.g. a pino instance; the `naylence` CLI wires pino on stderr).
   */
  readonly logger?: Logger;
  /** The parent to attach to. Without it the node is a root (path `/{systemId}`). */
  readonly upstream?: UpstreamOptions;
  /**
   * Logicals this node may bind names under, e.g. `["fame.fabric"]` or a pool
   * `["*.fame.fabric"]`. Default `["*"]`: any logical (what direct admission grants a node that
   * requests none). An empty list means none: the node binds physical addresses only (what a
   * welcome service grants a node that asked for no logicals; its attach token allows no more).
   */
  readonly requestedLogicals?: readonly string[];
  /** Envelope security and attach authorization (see `NodeSecurity` in `@naylence/core`). Default: none. */
  readonly security?: NodeSecurity;
  readonly hooks?: readonly NodeHooks[];
  /**
   * Hop limit given to envelopes this node forwards without a `ttl` (the reference carries the
   * field and ignores it, so the wire stays compatible): a loop without `ttl` dies after this
   * many hops. Default 32.
   */
  readonly defaultTtl?: number;
  /** Link settings (envelope size limit, queue bounds, flows, invalid-envelope limit, flow control). */
  readonly link?: LinkSettings;
}
