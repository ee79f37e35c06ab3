import type { FabricOptions } from '@naylence/fabric';
import type { HttpListenerOptions, HttpServerLimits } from '@naylence/transport-http';
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
  readonly httpMaxBodyBytes?: number;
  readonly httpReceiveTimeoutMs?: number;
  readonly httpKeepAliveTimeoutMs?: number;
  readonly httpMaxPendingLinks?: number;
  readonly httpPendingLinkTimeoutMs?: number;
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
  maxConnections: {
    flag: 'max-connections',
    env: 'FAME_MAX_CONNECTIONS',
    default: 10_000,
    what: 'open connections; more get 503 (with --http: also HTTP links, a NodeAttach past it gets 503)',
  },
  maxConnectionsPerAddress: {
    flag: 'max-connections-per-address',
    env: 'FAME_MAX_CONNECTIONS_PER_ADDRESS',
    default: 2_000,
    what: 'open connections (and HTTP links) from one remote address; more get 503',
  },
  upgradeTimeoutMs: {
    flag: 'upgrade-timeout-ms',
    env: 'FAME_UPGRADE_TIMEOUT_MS',
    default: 5_000,
    what: 'time to complete the WebSocket upgrade (headers and idle before it); with --http, time for any request headers; 0 = none',
  },
  authFailureMaxDelayMs: {
    flag: 'auth-failure-max-delay-ms',
    env: 'FAME_AUTH_FAILURE_MAX_DELAY_MS',
    default: 2_000,
    what: 'longest spacing of attempts (upgrades, HTTP requests) from an address after failed authentication; more get 429; 0 = none',
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
  httpMaxBodyBytes: {
    flag: 'http-max-body-bytes',
    env: 'FAME_HTTP_MAX_BODY_BYTES',
    default: 256 * 1024,
    what: 'largest HTTP request body (one envelope); larger gets 413 and the connection is closed',
  },
  httpReceiveTimeoutMs: {
    flag: 'http-receive-timeout-ms',
    env: 'FAME_HTTP_RECEIVE_TIMEOUT_MS',
    default: 10_000,
    what: 'time for a whole HTTP request (headers and body) to arrive; else 408 and closed; 0 = none',
  },
  httpKeepAliveTimeoutMs: {
    flag: 'http-keep-alive-timeout-ms',
    env: 'FAME_HTTP_KEEP_ALIVE_TIMEOUT_MS',
    default: 5_000,
    what: 'an idle keep-alive HTTP connection is closed after this',
  },
  httpMaxPendingLinks: {
    flag: 'http-max-pending-links',
    env: 'FAME_HTTP_MAX_PENDING_LINKS',
    default: 1_000,
    what: "HTTP links whose attach is in progress (the NodeAttachAck not yet accepted by the child's callback); more get 503",
  },
  httpPendingLinkTimeoutMs: {
    flag: 'http-pending-link-timeout-ms',
    env: 'FAME_HTTP_PENDING_LINK_TIMEOUT_MS',
    default: 10_000,
    what: 'such a link is closed (1000 attach timeout) after this; 0 = never',
  },
};

/** The settings of the listener, the links and the sentinel that `limits` asks for. */
export function limitSettings(limits: SentinelLimits): {
  listener: Pick<WebSocketListenerOptions, 'maxConnections' | 'maxConnectionsPerAddress' | 'upgradeTimeoutMs' | 'authFailureMaxDelayMs'>;
  link: NonNullable<FabricOptions['link']>;
  sentinel: NonNullable<FabricOptions['sentinel']>;
  http: Pick<
    HttpListenerOptions,
    'maxConnections' | 'maxConnectionsPerAddress' | 'authFailureMaxDelayMs' | 'maxBodyBytes' | 'maxPendingLinks' | 'pendingLinkTimeoutMs'
  >;
  /** The server the WebSocket and HTTP listeners share with `--http`. */
  server: HttpServerLimits;
} {
  const pick = <K extends keyof SentinelLimits>(...keys: K[]): { [P in K]?: number } =>
    Object.fromEntries(keys.filter((k) => limits[k] !== undefined).map((k) => [k, limits[k]])) as { [P in K]?: number };
  const renamed = <T extends string>(names: Record<T, keyof SentinelLimits>): { [P in T]?: number } =>
    Object.fromEntries(
      Object.entries<keyof SentinelLimits>(names)
        .filter(([, from]) => limits[from] !== undefined)
        .map(([to, from]) => [to, limits[from]]),
    ) as { [P in T]?: number };
  return {
    listener: pick('maxConnections', 'maxConnectionsPerAddress', 'upgradeTimeoutMs', 'authFailureMaxDelayMs'),
    link: pick('maxQueuedEnvelopes', 'maxQueuedBytes', 'maxFlows', 'maxInvalidEnvelopes', 'invalidWindowMs'),
    sentinel: pick('attachTimeoutMs', 'slowConsumerMs', 'defaultTtl'),
    http: {
      ...pick('maxConnections', 'maxConnectionsPerAddress', 'authFailureMaxDelayMs'),
      ...renamed({
        maxBodyBytes: 'httpMaxBodyBytes',
        maxPendingLinks: 'httpMaxPendingLinks',
        pendingLinkTimeoutMs: 'httpPendingLinkTimeoutMs',
      }),
    },
    server: {
      ...pick('maxConnections', 'maxConnectionsPerAddress'),
      ...renamed({
        headersTimeoutMs: 'upgradeTimeoutMs',
        receiveTimeoutMs: 'httpReceiveTimeoutMs',
        keepAliveTimeoutMs: 'httpKeepAliveTimeoutMs',
      }),
    },
  };
}
