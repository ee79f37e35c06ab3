import type { DeliveryAckCode } from './errors.js';
import { randomId } from './ids.js';
import type { FameEnvelope } from './wire/envelope.js';
import type { DeliveryAckFrame, FameFrame, NodeAttachAckFrame } from './wire/frames.js';
import { ENVELOPE_VERSION, type Priority } from './wire/primitives.js';
import type { SecurityHeader } from './wire/security-header.js';

/**
 * Everything an envelope may carry; `frame` is the only required field. An `undefined` field is
 * the same as an absent one, so callers can pass values straight through.
 */
export interface EnvelopeInit<F extends FameFrame = FameFrame> {
  readonly frame: F;
  readonly id?: string | undefined;
  readonly sid?: string | undefined;
  readonly traceId?: string | undefined;
  readonly to?: string | undefined;
  readonly replyTo?: string | undefined;
  readonly capabilities?: readonly string[] | undefined;
  readonly rtype?: number | undefined;
  readonly corrId?: string | undefined;
  readonly flowId?: string | undefined;
  readonly seqId?: number | undefined;
  readonly flowFlags?: number | undefined;
  readonly ttl?: number | undefined;
  readonly priority?: Priority | undefined;
  readonly ts?: string | undefined;
  readonly sec?: SecurityHeader | undefined;
  readonly aft?: string | undefined;
  readonly meta?: Record<string, unknown> | undefined;
}

// `toISOString` costs about half a microsecond; within one millisecond the answer is the same.
let lastMillis = -1;
let lastIso = '';

/** The current time as the protocol writes it: ISO-8601 UTC with milliseconds and `Z`. */
export function currentTimestamp(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/**
 * A new envelope with the defaults every sender should set (`version`, a fresh `id` and
 * `traceId`, `ts` = now), keys in wire order. Fields absent from `init` stay absent from the
 * JSON (`flowId`, `seqId` and `flowFlags` exist as undefined slots until a link fills them).
 */
export function createEnvelope<F extends FameFrame>(init: EnvelopeInit<F>): FameEnvelope<F> {
  // Assigned one by one, in wire order, so the object serializes in that order and no key
  // holds `undefined`.
  const env: Record<string, unknown> = { version: ENVELOPE_VERSION, id: init.id ?? randomId() };
  if (init.sid !== undefined) env.sid = init.sid;
  env.traceId = init.traceId ?? randomId();
  if (init.to !== undefined) env.to = init.to;
  if (init.replyTo !== undefined) env.replyTo = init.replyTo;
  if (init.capabilities !== undefined) env.capabilities = [...init.capabilities];
  if (init.rtype !== undefined) env.rtype = init.rtype;
  if (init.corrId !== undefined) env.corrId = init.corrId;
  // The link writes these three per hop. Their slots exist from the start (undefined values are
  // not serialized), so an envelope keeps wire key order when they are filled in, and every
  // envelope has the same shape.
  env.flowId = init.flowId;
  env.seqId = init.seqId;
  env.flowFlags = init.flowFlags;
  if (init.ttl !== undefined) env.ttl = init.ttl;
  if (init.priority !== undefined) env.priority = init.priority;
  env.frame = init.frame;
  env.ts = init.ts ?? currentTimestamp();
  if (init.sec !== undefined) env.sec = init.sec;
  if (init.aft !== undefined) env.aft = init.aft;
  if (init.meta !== undefined) env.meta = init.meta;
  return env as FameEnvelope<F>;
}

type ReplyInit<F extends FameFrame> = Omit<EnvelopeInit<F>, 'to' | 'corrId' | 'traceId' | 'frame'>;

/**
 * A response to `request`: `to` = the request's `replyTo`, same `corrId` and `traceId`
 * (protocol-core §6.4). `to` is left out when the request has no `replyTo` (control acks
 * travel straight down the link they answer).
 */
export function createReply<F extends FameFrame>(request: FameEnvelope, frame: F, init?: ReplyInit<F>): FameEnvelope<F> {
  return createEnvelope<F>({
    ...init,
    frame,
    ...(request.replyTo !== undefined && { to: request.replyTo }),
    ...(request.corrId !== undefined && { corrId: request.corrId }),
    ...(request.traceId !== undefined && { traceId: request.traceId }),
  });
}

/** `DeliveryAck{ok:true, refId}` for `request` (protocol-core §6.2). */
export function createDeliveryAck(request: FameEnvelope, init?: ReplyInit<DeliveryAckFrame>): FameEnvelope<DeliveryAckFrame> {
  return createReply(request, { type: 'DeliveryAck', ok: true, refId: request.id }, init);
}

/**
 * A NACK for `request`: `DeliveryAck{ok:false, code, reason, refId}` to its `replyTo`
 * (protocol-core §5.5). `reason` defaults to the reference's `Unroutable to {to ?? replyTo}`.
 */
export function createNack(
  request: FameEnvelope,
  code: DeliveryAckCode,
  reason: string = `Unroutable to ${request.to ?? request.replyTo ?? ''}`,
  init?: ReplyInit<DeliveryAckFrame>,
): FameEnvelope<DeliveryAckFrame> {
  return createReply(request, { type: 'DeliveryAck', ok: false, code, reason, refId: request.id }, init);
}

/**
 * Whether the reference would NACK this envelope when it cannot be delivered: only `Data` and
 * `SecureOpen` frames that carry `id`, `replyTo` and `corrId` (protocol-core §5.5).
 */
export function isNackEligible(envelope: FameEnvelope): boolean {
  const type = envelope.frame.type;
  return (type === 'Data' || type === 'SecureOpen') && !!envelope.id && envelope.replyTo !== undefined && envelope.corrId !== undefined;
}

/**
 * The refusal a listener sends when it will not admit a link (failed authentication, listener
 * error): one `NodeAttachAck{ok:false, reason}` without corrId or refId, sent before closing
 * (admission-and-http §4). Peers must accept it in either key casing; we write camelCase.
 */
export function createAttachRefusal(reason: string): FameEnvelope<NodeAttachAckFrame> {
  return createEnvelope({ frame: { type: 'NodeAttachAck', ok: false, reason } });
}
