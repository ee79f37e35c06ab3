/**
 * The NACK a node sends when it refuses an envelope for a security reason (§3.9): a new
 * envelope to the original `replyTo`, same `corrId` and `traceId`, frame
 * `{"type":"DeliveryAck","ok":false,"refId":<id>,"code":<code>}`.
 */
import { createReply, ERROR_CODES, type DeliveryAckFrame, type FameEnvelope } from '@naylence/core';
import { NO_NACK_FRAME_TYPES } from './security-policy.js';

export type SecurityNackCode = 'SIGNATURE_REQUIRED' | 'SIGNATURE_INVALID' | 'CRYPTO_LEVEL_VIOLATION';

/**
 * The NACK for `envelope`, or `undefined` when none may be sent: no `replyTo`, or a
 * CreditUpdate / NodeHeartbeat / NodeHeartbeatAck frame.
 */
export function createSecurityNack(envelope: FameEnvelope, code: SecurityNackCode): FameEnvelope<DeliveryAckFrame> | undefined {
  if (envelope.replyTo === undefined || NO_NACK_FRAME_TYPES.has(envelope.frame.type)) return undefined;
  return createReply(envelope, { type: 'DeliveryAck', ok: false, refId: envelope.id, code: ERROR_CODES[code].deliveryAck });
}
