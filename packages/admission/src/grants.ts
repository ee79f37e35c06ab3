import { ConfigError } from '@naylence/core';
import { isJsonObject, member, type JsonObject } from './casing.js';

/** The purpose of the grant a node attaches with (admission-and-http §3.1). */
export const NODE_ATTACH_PURPOSE = 'node.attach';
/** The purpose of an advanced-security certificate-signing grant (§3.4); never dialed here. */
export const CA_SIGN_PURPOSE = 'ca_sign';

/** Grant types of §3.1. */
export const WEBSOCKET_CONNECTION_GRANT = 'WebSocketConnectionGrant';
export const HTTP_CONNECTION_GRANT = 'HttpConnectionGrant';
export const INPAGE_CONNECTION_GRANT = 'InPageConnectionGrant';
export const BROADCAST_CHANNEL_CONNECTION_GRANT = 'BroadcastChannelConnectionGrant';

const CONNECTION_GRANT_TYPES = new Set([
  WEBSOCKET_CONNECTION_GRANT,
  HTTP_CONNECTION_GRANT,
  INPAGE_CONNECTION_GRANT,
  BROADCAST_CHANNEL_CONNECTION_GRANT,
]);

/**
 * A connection grant (admission-and-http §3): how to reach a parent (or a service) and which
 * credentials to present. Parsed from either casing; `raw` keeps every member as received
 * (`ttl`, `durable`, `inboxCapacity`, …), so a grant can be passed on unchanged.
 */
export interface ConnectionGrant {
  readonly type: string;
  /** `node.attach` when absent on the grant types of §3.1 (as the reference normalizes them). */
  readonly purpose: string;
  /** WebSocket (`ws:`/`wss:`, optional in TS) and HTTP (required) grants. */
  readonly url?: string;
  /** In-page and broadcast-channel grants (browser). */
  readonly channelName?: string;
  /** The auth injection strategy config (§4), as written: its members may be in either casing. */
  readonly auth?: JsonObject;
  readonly raw: JsonObject;
}

/**
 * Reads one grant object in either casing (`channel_name`, `auth`/`auth_strategy`).
 * Unknown grant types are kept (their `purpose` is required to use them; absent = none).
 * @throws ConfigError when the value is not a grant: no `type`, an HTTP grant without `url`,
 *   or members of the wrong type
 */
export function parseConnectionGrant(value: unknown, what = 'connection grant'): ConnectionGrant {
  if (!isJsonObject(value)) throw new ConfigError(`${what}: expected an object`);
  const type = value.type;
  if (typeof type !== 'string' || type === '') throw new ConfigError(`${what}: a grant needs a type`);
  const purposeValue = value.purpose;
  if (purposeValue !== undefined && purposeValue !== null && typeof purposeValue !== 'string')
    throw new ConfigError(`${what}: purpose must be a string`);
  const purpose =
    typeof purposeValue === 'string' && purposeValue !== '' ? purposeValue : CONNECTION_GRANT_TYPES.has(type) ? NODE_ATTACH_PURPOSE : '';
  const url = optionalString(value, 'url', what);
  if (type === HTTP_CONNECTION_GRANT && url === undefined) throw new ConfigError(`${what}: an HttpConnectionGrant needs a url`);
  const channelName = optionalString(value, 'channelName', what);
  const auth = value.auth ?? member(value, 'authStrategy');
  if (auth !== undefined && auth !== null && !isJsonObject(auth)) throw new ConfigError(`${what}: auth must be an object`);
  return Object.freeze({
    type,
    purpose,
    ...(url !== undefined && { url }),
    ...(channelName !== undefined && { channelName }),
    ...(isJsonObject(auth) && { auth }),
    raw: value,
  });
}

/** Every grant of a welcome's `connectionGrants`. @throws ConfigError naming the bad one */
export function parseConnectionGrants(value: unknown, what = 'connectionGrants'): ConnectionGrant[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${what}: expected an array`);
  return value.map((grant, index) => parseConnectionGrant(grant, `${what}[${index}]`));
}

/**
 * The grant a node attaches with: the first of purpose `node.attach` whose type is one of
 * `types` (the transports this program can dial), in the welcome's order.
 */
export function selectAttachGrant(grants: readonly ConnectionGrant[], types: Iterable<string>): ConnectionGrant | undefined {
  const usable = new Set(types);
  return grants.find((grant) => grant.purpose === NODE_ATTACH_PURPOSE && usable.has(grant.type));
}

function optionalString(value: JsonObject, name: string, what: string): string | undefined {
  const member_ = member(value, name);
  if (member_ === undefined || member_ === null) return undefined;
  if (typeof member_ !== 'string') throw new ConfigError(`${what}: ${name} must be a string`);
  const trimmed = member_.trim();
  return trimmed === '' ? undefined : trimmed;
}
