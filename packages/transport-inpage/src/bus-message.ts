import type { OriginType, WireMessage } from '@naylence/core';

/** The channel the reference's in-page and BroadcastChannel transports use when none is named. */
export const DEFAULT_CHANNEL_NAME = 'naylence-fabric';

/**
 * Link control of our bus links, carried in a message without `payload`: the reference's bus
 * readers skip such messages (they need a `payload`), so control never disturbs them.
 * - `open`: a dialer asks the listeners on the channel for a link (its `senderId` is the
 *   dialing end's id), with the origin type and the bearer token of the attach;
 * - `accept`: a listener created the other end (its `senderId`) of the link `targetId`;
 *   both carry the sender's high-water mark (`window`, bytes), which the other end acknowledges
 *   in quarters;
 * - `ack`: the receiver handed `bytes` more bytes to its node (credit for the sender's
 *   back-pressure);
 * - `close`: the sender closed its end with `code` and `reason`.
 */
export type BusControl =
  | { readonly type: 'open'; readonly originType: OriginType; readonly window: number; readonly token?: string }
  | { readonly type: 'accept'; readonly window: number }
  | { readonly type: 'ack'; readonly bytes: number }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

/**
 * One message on a bus channel. `senderId`, `senderNodeId`, `targetNodeId` and `payload` are the
 * reference's members (`payload`: one encoded envelope, which we send as text and read as text or
 * bytes; `targetNodeId`: a system id or `*`); `targetId` (the receiving end's id) and `ctl` are ours.
 */
export interface BusMessage {
  /** Id of the sending link end (a dialer's end before it is accepted). */
  readonly senderId: string;
  /** System id of the sending node. */
  readonly senderNodeId: string;
  /** System id of the receiving node, or `*`. */
  readonly targetNodeId: string;
  /** Id of the receiving link end; absent only on `open`. */
  readonly targetId?: string;
  readonly payload?: WireMessage;
  readonly ctl?: BusControl;
}

const MAX_ID_LENGTH = 256;
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_REASON_LENGTH = 1024;

/** A positive whole number of bytes (at most 2^53 − 1). */
const byteCount = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;

/** A payload as it crossed the bus: text, or bytes (any view or buffer, as structured clone keeps them). */
function wireMessage(value: unknown): WireMessage | undefined {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

function control(value: unknown): BusControl | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const ctl = value as Record<string, unknown>;
  switch (ctl.type) {
    case 'open': {
      const window = byteCount(ctl.window);
      if ((ctl.originType !== 'downstream' && ctl.originType !== 'peer') || window === undefined) return undefined;
      if (ctl.token === undefined) return { type: 'open', originType: ctl.originType, window };
      if (typeof ctl.token !== 'string' || ctl.token.length > MAX_TOKEN_LENGTH) return undefined;
      return { type: 'open', originType: ctl.originType, window, token: ctl.token };
    }
    case 'accept': {
      const window = byteCount(ctl.window);
      return window === undefined ? undefined : { type: 'accept', window };
    }
    case 'ack': {
      const bytes = byteCount(ctl.bytes);
      return bytes === undefined ? undefined : { type: 'ack', bytes };
    }
    case 'close': {
      const code = ctl.code;
      if (typeof code !== 'number' || !Number.isInteger(code) || code < 1000 || code > 4999) return undefined;
      const reason = typeof ctl.reason === 'string' ? ctl.reason.slice(0, MAX_REASON_LENGTH) : '';
      return { type: 'close', code, reason };
    }
    default:
      return undefined;
  }
}

/**
 * `data` as a bus message, or undefined when it is not one of ours: on a shared channel that is
 * normal (other nodes' traffic, another library's messages), so callers drop it silently.
 * A message has exactly one of `payload` and `ctl`.
 */
export function parseBusMessage(data: unknown): BusMessage | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const m = data as Record<string, unknown>;
  if (!isId(m.senderId) || !isId(m.senderNodeId) || !isId(m.targetNodeId)) return undefined;
  if (m.targetId !== undefined && !isId(m.targetId)) return undefined;
  // The common case, a payload of text or bytes, is taken as it came (nothing is copied).
  if (m.ctl === undefined && (typeof m.payload === 'string' || m.payload instanceof Uint8Array)) return data as BusMessage;
  const head = {
    senderId: m.senderId,
    senderNodeId: m.senderNodeId,
    targetNodeId: m.targetNodeId,
    ...(m.targetId !== undefined && { targetId: m.targetId }),
  };
  if (m.payload !== undefined) {
    const payload = m.ctl === undefined ? wireMessage(m.payload) : undefined;
    return payload === undefined ? undefined : { ...head, payload };
  }
  const ctl = control(m.ctl);
  return ctl === undefined ? undefined : { ...head, ctl };
}
