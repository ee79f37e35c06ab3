import type { FabricOptions } from '@naylence/fabric';
import type { WebSocketListenerOptions } from '@naylence/transport-ws';

/** The limits a sentinel enforces on hostile, broken or slow peers. Absent = the default below. */
export interface SentinelLimits {
  readonly maxConnections?: number;
  readonly maxConnectionsPerAddress?: number;
  readonly upgradeTimeoutMs?: number;
  readonly authFailureMaxDelayMs?: number;
  readonly attachTimeoutMs?: number;
  readonly maxQueuedEnvelopes?: number;
  readonly maxQueuedBytes?: number;
  readonly slowConsumerMs?: number;
  readonly maxFlows?: number;
  readonly maxInvalidEnvelopes?: number;
  readonly invalidWindowMs?: number;
  readonly defaultTtl?: number;
}

interface LimitSpec {
  readonly flag: string;
  readonly env: string;
  /** The libraries' default (documented here, applied there). */
  readonly default: number;
  readonly what: string;
}

/** Every limit: its flag, its environment variable (ours), its default and what it bounds. */
export const SENTINEL_LIMITS: Readonly<Record<keyof SentinelLimits, LimitSpec>> = {
  maxConnections: { flag: 'max-connections', env: 'FAME_MAX_CONNECTIONS', default: 10_000, what: 'open connections; more get 503' },
  maxConnectionsPerAddress: {
    flag: 'max-connections-per-address',
    env: 'FAME_MAX_CONNECTIONS_PER_ADDRESS',
    default: 2_000,
    what: 'open connections from one remote address; more get 503',
  },
  upgradeTimeoutMs: {
    flag: 'upgrade-timeout-ms',
    env: 'FAME_UPGRADE_TIMEOUT_MS',
    default: 5_000,
    what: 'time to complete the WebSocket upgrade (headers and idle before it); 0 = none',
  },
  authFailureMaxDelayMs: {
    flag: 'auth-failure-max-delay-ms',
    env: 'FAME_AUTH_FAILURE_MAX_DELAY_MS',
    default: 2_000,
    what: 'longest spacing of attempts from an address after failed authentication; 0 = none',
  },
  attachTimeoutMs: { flag: 'attach-timeout-ms', env: 'FAME_ATTACH_TIMEOUT_MS', default: 5_000, what: 'time to send a valid NodeAttach' },
  maxQueuedEnvelopes: {
    flag: 'max-queued-envelopes',
    env: 'FAME_MAX_QUEUED_ENVELOPES',
    default: 4_096,
    what: 'envelopes waiting per link (responses have as many again); more are refused with BACK_PRESSURE',
  },
  maxQueuedBytes: {
    flag: 'max-queued-bytes',
    env: 'FAME_MAX_QUEUED_BYTES',
    default: 32 * 1024 * 1024,
    what: 'bytes waiting per link, likewise',
  },
  slowConsumerMs: {
    flag: 'slow-consumer-ms',
    env: 'FAME_SLOW_CONSUMER_MS',
    default: 10_000,
    what: 'a link whose queue stays full or whose writes stall this long is closed (1008 slow consumer); 0 = never',
  },
  maxFlows: { flag: 'max-flows', env: 'FAME_MAX_FLOWS_PER_LINK', default: 4_096, what: 'flow ids a link keeps state for, each way' },
  maxInvalidEnvelopes: {
    flag: 'max-invalid-envelopes',
    env: 'FAME_MAX_INVALID_ENVELOPES',
    default: 10,
    what: 'undecodable envelopes within the window that close a link (1007); 0 = never',
  },
  invalidWindowMs: { flag: 'invalid-window-ms', env: 'FAME_INVALID_WINDOW_MS', default: 10_000, what: 'window of the above' },
  defaultTtl: {
    flag: 'default-ttl',
    env: 'FAME_DEFAULT_TTL',
    default: 32,
    what: 'hop limit given to forwarded envelopes without ttl',
  },
};

/** The settings of the listener, the links and the sentinel that `limits` asks for. */
export function limitSettings(limits: SentinelLimits): {
  listener: Pick<WebSocketListenerOptions, 'maxConnections' | 'maxConnectionsPerAddress' | 'upgradeTimeoutMs' | 'authFailureMaxDelayMs'>;
  link: NonNullable<FabricOptions['link']>;
  sentinel: NonNullable<FabricOptions['sentinel']>;
} {
  const pick = <K extends keyof SentinelLimits>(...keys: K[]): { [P in K]?: number } =>
    Object.fromEntries(keys.filter((k) => limits[k] !== undefined).map((k) => [k, limits[k]])) as { [P in K]?: number };
  return {
    listener: pick('maxConnections', 'maxConnectionsPerAddress', 'upgradeTimeoutMs', 'authFailureMaxDelayMs'),
    link: pick('maxQueuedEnvelopes', 'maxQueuedBytes', 'maxFlows', 'maxInvalidEnvelopes', 'invalidWindowMs'),
    sentinel: pick('attachTimeoutMs', 'slowConsumerMs', 'defaultTtl'),
  };
}
