import type { EnvelopeSecurity, Logger } from '@naylence/core';
import type { LinkOptions } from '../link/link.js';
import type { NodeHooks } from './hooks.js';
import type { UpstreamOptions } from './upstream-session.js';

export interface NodeOptions {
  /** System id; default a random 16-character id (unique per process, unlike the reference's fingerprint). */
  readonly systemId?: string;
  /** Default: pino at `warn` on stderr. Children get `{ nodeId }` and link bindings. */
  readonly logger?: Logger;
  /** The parent to attach to. Without it the node is a root (path `/{systemId}`). */
  readonly upstream?: UpstreamOptions;
  /**
   * Logicals this node may bind names under, e.g. `["fame.fabric"]` or a pool
   * `["*.fame.fabric"]`. Default `["*"]`: any logical (what direct admission grants a node that
   * requests none).
   */
  readonly requestedLogicals?: readonly string[];
  readonly security?: EnvelopeSecurity;
  readonly hooks?: readonly NodeHooks[];
  /** Link settings (envelope size limit, queue bounds, flow control). */
  readonly link?: Omit<LinkOptions, 'logger'>;
}
