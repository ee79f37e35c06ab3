import type { FameEnvelope } from './envelope.js';
import type { FrameType } from './frames.js';
import { ResponseType } from './primitives.js';

/**
 * What a node does with each frame type: the one table the fabric and the security layer
 * consult (protocol-core §3, §4, §5; protocol-security §4, §5).
 *
 * - `routed`: application traffic, routed by `to` (Data also by `capabilities`).
 * - `security`: frames the security layer owns; the node's `NodeSecurity` may claim one that
 *   reaches it, otherwise it is routed like `routed` (KeyRequest by `frame.address`, else `to`).
 *   Without a security component nothing claims them and they are only routed.
 * - `attach`: NodeAttach (first envelope of a child or peer) and NodeAttachAck (the answer).
 * - `control`: a request to the parent or a peer sentinel (bind, advertise, heartbeat).
 * - `control-ack`: the answer to a control request, matched by `corrId`.
 * - `link`: CreditUpdate, consumed by the link itself; never routed, never secured.
 * - `admission`: NodeHello / NodeWelcome travel over HTTP admission, never over a link.
 */
export type FrameRole = 'routed' | 'security' | 'attach' | 'control' | 'control-ack' | 'link' | 'admission';

export const FRAME_ROLES: Readonly<Record<FrameType, FrameRole>> = Object.freeze({
  Data: 'routed',
  DeliveryAck: 'routed',
  KeyRequest: 'security',
  KeyAnnounce: 'security',
  SecureOpen: 'security',
  SecureAccept: 'security',
  SecureClose: 'security',
  NodeAttach: 'attach',
  NodeAttachAck: 'attach',
  AddressBind: 'control',
  AddressUnbind: 'control',
  CapabilityAdvertise: 'control',
  CapabilityWithdraw: 'control',
  NodeHeartbeat: 'control',
  AddressBindAck: 'control-ack',
  AddressUnbindAck: 'control-ack',
  CapabilityAdvertiseAck: 'control-ack',
  CapabilityWithdrawAck: 'control-ack',
  NodeHeartbeatAck: 'control-ack',
  CreditUpdate: 'link',
  NodeHello: 'admission',
  NodeWelcome: 'admission',
});

/** The role of a frame type (decoded envelopes only carry known types). */
export function frameRole(envelope: FameEnvelope): FrameRole {
  return FRAME_ROLES[envelope.frame.type];
}

/** Whether routing applies to the frame (`routed` and unclaimed `security` frames). */
export function isRoutable(envelope: FameEnvelope): boolean {
  const role = FRAME_ROLES[envelope.frame.type];
  return role === 'routed' || role === 'security';
}

/** Where an envelope is routed to: `to`, except that a KeyRequest names its target in `frame.address`. */
export function destinationOf(envelope: FameEnvelope): string | undefined {
  const frame = envelope.frame;
  return frame.type === 'KeyRequest' ? (frame.address ?? envelope.to) : envelope.to;
}

/**
 * Whether an envelope answers something rather than asks: a DeliveryAck, a control ack, or an
 * envelope with a `corrId` that expects no reply or stream. Responses travel on the link's reply
 * flow, so a peer withholding credit for our requests can never hold back its own answers.
 */
export function isResponse(envelope: FameEnvelope): boolean {
  const type = envelope.frame.type;
  if (type === 'DeliveryAck' || type === 'NodeAttachAck' || type === 'SecureAccept') return true;
  if (FRAME_ROLES[type] === 'control-ack') return true;
  return envelope.corrId !== undefined && ((envelope.rtype ?? 0) & (ResponseType.REPLY | ResponseType.STREAM)) === 0 && type === 'Data';
}
