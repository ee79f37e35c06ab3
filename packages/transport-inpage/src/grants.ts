import { ConfigError, type Environment } from '@naylence/core';
import type { BusDialerOptions } from './bus-dialer.js';
import { DEFAULT_CHANNEL_NAME } from './bus-message.js';
import { broadcastChannelDialer, inPageDialer, type BusDialer } from './transports.js';

/** `type` of the grant of an in-page link (admission-and-http §3.1, TS browser). */
export const IN_PAGE_CONNECTION_GRANT_TYPE = 'InPageConnectionGrant';
/** `type` of the grant of a BroadcastChannel link (admission-and-http §3.1, TS browser). */
export const BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE = 'BroadcastChannelConnectionGrant';
/** The purpose of a grant that attaches a node to its parent. */
export const GRANT_PURPOSE_NODE_ATTACH = 'node.attach';
/** Where the `direct-inpage` admission profile reads its channel (admission-and-http §1.1). */
export const DIRECT_INPAGE_CHANNEL_ENV = 'FAME_DIRECT_INPAGE_CHANNEL';

/**
 * An in-page or BroadcastChannel connection grant as the reference writes it (camelCase; the
 * snake_case spellings `channel_name`, `inbox_capacity`, `initial_window` are read too).
 * `inboxCapacity` (the reference's inbox size in envelopes) and `initialWindow` (its per-link
 * credit in envelopes) are kept as given: our links bound buffering in bytes (`highWaterMark`)
 * and the fabric's flow control sets the credit.
 */
export interface BusConnectionGrant {
  readonly type: typeof IN_PAGE_CONNECTION_GRANT_TYPE | typeof BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE;
  readonly purpose: string;
  readonly channelName?: string;
  readonly inboxCapacity?: number;
  /** BroadcastChannel grants only. */
  readonly initialWindow?: number;
}

function member(record: Readonly<Record<string, unknown>>, camel: string, snake: string): unknown {
  return record[camel] ?? record[snake];
}

function positiveCount(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${what} must be a positive number when given`);
  }
  return Math.floor(value);
}

/**
 * The grant `candidate` describes, normalized as the reference does: `type` defaults to
 * `defaultType` (another type is refused), `purpose` to `node.attach`; `channelName` is trimmed
 * and must not be blank; the counts must be positive (they are floored).
 * @throws ConfigError for anything else
 */
function normalizeGrant(candidate: unknown, defaultType: BusConnectionGrant['type']): BusConnectionGrant {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    throw new ConfigError(`${defaultType} must be an object`);
  }
  const record = candidate as Readonly<Record<string, unknown>>;
  const type = record.type ?? defaultType;
  if (type !== defaultType)
    throw new ConfigError(`${defaultType} expected type ${JSON.stringify(defaultType)}, got ${JSON.stringify(type)}`);
  const purpose = typeof record.purpose === 'string' && record.purpose !== '' ? record.purpose : GRANT_PURPOSE_NODE_ATTACH;
  const rawChannel = member(record, 'channelName', 'channel_name');
  if (rawChannel !== undefined && (typeof rawChannel !== 'string' || rawChannel.trim() === '')) {
    throw new ConfigError(`${defaultType} "channelName" must be a non-empty string when given`);
  }
  const inboxCapacity = positiveCount(member(record, 'inboxCapacity', 'inbox_capacity'), `${defaultType} "inboxCapacity"`);
  const initialWindow =
    defaultType === BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE
      ? positiveCount(member(record, 'initialWindow', 'initial_window'), `${defaultType} "initialWindow"`)
      : undefined;
  return {
    type: defaultType,
    purpose,
    ...(typeof rawChannel === 'string' && { channelName: rawChannel.trim() }),
    ...(inboxCapacity !== undefined && { inboxCapacity }),
    ...(initialWindow !== undefined && { initialWindow }),
  };
}

/** An `InPageConnectionGrant`, normalized. @throws ConfigError */
export function normalizeInPageConnectionGrant(candidate: unknown): BusConnectionGrant {
  return normalizeGrant(candidate, IN_PAGE_CONNECTION_GRANT_TYPE);
}

/** A `BroadcastChannelConnectionGrant`, normalized. @throws ConfigError */
export function normalizeBroadcastChannelConnectionGrant(candidate: unknown): BusConnectionGrant {
  return normalizeGrant(candidate, BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE);
}

/** Whether `value` names itself an in-page or BroadcastChannel grant (by `type`; not validated). */
export function isBusConnectionGrant(value: unknown): value is { readonly type: BusConnectionGrant['type'] } {
  const type = (value as { type?: unknown } | null)?.type;
  return type === IN_PAGE_CONNECTION_GRANT_TYPE || type === BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE;
}

/**
 * The grant the reference's `direct-inpage` admission profile expands to (admission-and-http
 * §1.1): `InPageConnectionGrant{purpose: node.attach, channelName: $FAME_DIRECT_INPAGE_CHANNEL
 * (default naylence-fabric)}`.
 *
 * Hook for `@naylence/admission`: its `direct-inpage` (`direct_inpage`) profile yields this
 * grant, and the composition root turns it into a dialer with {@link dialerFromGrant}.
 */
export function directInPageGrant(env: Environment = {}): BusConnectionGrant {
  const channel = env[DIRECT_INPAGE_CHANNEL_ENV]?.trim();
  return {
    type: IN_PAGE_CONNECTION_GRANT_TYPE,
    purpose: GRANT_PURPOSE_NODE_ATTACH,
    channelName: channel === undefined || channel === '' ? DEFAULT_CHANNEL_NAME : channel,
  };
}

/**
 * A dialer for an in-page or BroadcastChannel grant (its channel; the other settings from
 * `options`). @throws ConfigError for a grant of another type or an invalid one
 */
export function dialerFromGrant(grant: unknown, options: Omit<BusDialerOptions, 'channelName'> = {}): BusDialer {
  const type = (grant as { type?: unknown } | null)?.type;
  if (type === BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE) {
    const { channelName } = normalizeBroadcastChannelConnectionGrant(grant);
    return broadcastChannelDialer({ ...options, ...(channelName !== undefined && { channelName }) });
  }
  if (type === IN_PAGE_CONNECTION_GRANT_TYPE) {
    const { channelName } = normalizeInPageConnectionGrant(grant);
    return inPageDialer({ ...options, ...(channelName !== undefined && { channelName }) });
  }
  throw new ConfigError(`not an in-page or BroadcastChannel grant: type ${JSON.stringify(type)}`);
}
