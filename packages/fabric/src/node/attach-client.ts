import {
  AttachError,
  createEnvelope,
  isFameError,
  randomId,
  unrefTimer,
  type CloseInfo,
  type Connector,
  type EnvelopeRejection,
  type FameEnvelope,
  type Logger,
  type NodeAttachAckFrame,
  type NodeAttachFrame,
  type NodeSecurity,
  type OriginType,
} from '@naylence/core';
import { Link } from '../link/link.js';
import { LinkPeer, type LinkOptions } from '../link/link-peer.js';
import type { AttachInfo } from './hooks.js';

/** What the child side of an attach needs. */
export interface AttachRequest {
  readonly systemId: string;
  readonly originType: OriginType;
  readonly logger: Logger;
  readonly link: Omit<LinkOptions, 'logger'>;
  readonly security: NodeSecurity | undefined;
  readonly timeoutMs: number;
  /** NodeAttach members of the node (logicals, capabilities). */
  readonly fields: { acceptedLogicals?: string[]; capabilities?: string[] };
  /** Handlers of the link once attached. */
  onEnvelope(envelope: FameEnvelope, link: Link): void | Promise<unknown>;
  onRejected(envelope: FameEnvelope, rejection: EnvelopeRejection, direction: 'inbound' | 'outbound', link: Link): void;
  onClose(link: Link, info: CloseInfo): void;
}

export interface Attached {
  readonly link: Link;
  readonly info: AttachInfo;
  readonly ack: NodeAttachAckFrame;
  /** Envelopes the parent sent between its ack and now, to handle in order. */
  readonly buffered: FameEnvelope[];
}

/**
 * The child side of the attach handshake on a fresh connector (protocol-core §4.4): send
 * NodeAttach (with the transport's members, e.g. an HTTP callback grant, and the security
 * component's, e.g. keys), wait for NodeAttachAck,
 * check it, and let the security component accept or refuse it.
 * @throws AttachError (`ATTACH_REJECTED`, `ATTACH_TIMEOUT`, `AUTHENTICATION_FAILED`,
 *   `PROTOCOL_ERROR`); the link is closed when the attach fails
 */
export async function attach(connector: Connector, request: AttachRequest): Promise<Attached> {
  const buffered: FameEnvelope[] = [];
  let attaching: { resolve(ack: FameEnvelope<NodeAttachAckFrame>): void; reject(error: Error): void } | undefined;
  const peer = new LinkPeer(request.originType === 'peer' ? 'peer' : 'upstream', '', undefined);
  const link: Link = new Link(
    connector,
    peer,
    {
      onEnvelope: (envelope) => {
        if (attaching === undefined) return request.onEnvelope(envelope, link);
        if (envelope.frame.type === 'NodeAttachAck') attaching.resolve(envelope as FameEnvelope<NodeAttachAckFrame>);
        else buffered.push(envelope);
        return undefined;
      },
      onRejected: (envelope, rejection, direction) => request.onRejected(envelope, rejection, direction, link),
      onClose: (info) => {
        if (attaching) attaching.reject(closedDuringAttach(info));
        else request.onClose(link, info);
      },
    },
    { ...request.link, logger: request.logger },
  );
  link.start();
  const corrId = randomId();
  const acked = new Promise<FameEnvelope<NodeAttachAckFrame>>((resolve, reject) => (attaching = { resolve, reject }));
  const timer = setTimeout(
    () => attaching?.reject(new AttachError('ATTACH_TIMEOUT', `no NodeAttachAck within ${request.timeoutMs} ms`)),
    request.timeoutMs,
  );
  unrefTimer(timer);
  try {
    const frame: NodeAttachFrame = {
      type: 'NodeAttach',
      originType: request.originType,
      systemId: request.systemId,
      instanceId: randomId(),
      ...request.fields,
    };
    // The transport (e.g. an HTTP link's callback grant) and then the security component
    // (keys) may add members, never replace the node's own or each other's.
    addMissing(frame, connector.attachFields?.());
    addMissing(frame, await request.security?.attachFields?.(peer));
    const nodeAttach = createEnvelope({ corrId, frame });
    // A parent that refuses the link may close it before our NodeAttach is even written;
    // its refusal (ack ok:false, or the close) still settles `acked` with the reason.
    link.send(nodeAttach).catch((error: Error) => request.logger.debug({ err: error }, 'NodeAttach not sent'));
    const ack = await acked;
    validateAck(ack, corrId);
    const answer = ack.frame;
    peer.systemId = answer.targetSystemId!;
    peer.physicalPath = answer.targetPhysicalPath!;
    await checkWithSecurity(request.security, answer, peer);
    const info: AttachInfo = {
      systemId: request.systemId,
      physicalPath: answer.assignedPath!,
      parentSystemId: answer.targetSystemId!,
      parentPhysicalPath: answer.targetPhysicalPath!,
      routingEpoch: answer.routingEpoch,
    };
    return { link, info, ack: answer, buffered };
  } catch (error) {
    await link.close(1000, 'attach failed');
    throw error;
  } finally {
    clearTimeout(timer);
    attaching = undefined;
  }
}

function addMissing(frame: NodeAttachFrame, extra: object | undefined): void {
  if (extra === undefined) return;
  for (const [key, value] of Object.entries(extra))
    if (!(key in frame) && value !== undefined) (frame as Record<string, unknown>)[key] = value;
}

async function checkWithSecurity(security: NodeSecurity | undefined, ack: NodeAttachAckFrame, peer: LinkPeer): Promise<void> {
  if (security?.checkAttachAck === undefined) return;
  try {
    await security.checkAttachAck(ack, peer);
  } catch (error) {
    const reason = isFameError(error) || error instanceof Error ? error.message : String(error);
    throw new AttachError('ATTACH_REJECTED', `security refused the parent's NodeAttachAck: ${reason}`, reason);
  }
}

function closedDuringAttach(info: CloseInfo): AttachError {
  const detail = `${info.code}${info.reason ? ` ${info.reason}` : ''}`;
  if (info.code === 1008 && /auth/i.test(info.reason))
    return new AttachError('AUTHENTICATION_FAILED', `parent refused the link: ${detail}`, info.reason);
  return new AttachError('ATTACH_REJECTED', `parent closed the link before acknowledging the attach (${detail})`, info.reason || undefined);
}

function validateAck(ack: FameEnvelope<NodeAttachAckFrame>, corrId: string): void {
  const frame = ack.frame;
  if (frame.ok === false) {
    const reason = frame.reason ?? frame.code ?? 'no reason given';
    const code = /authenticat/i.test(reason) ? 'AUTHENTICATION_FAILED' : 'ATTACH_REJECTED';
    throw new AttachError(code, `parent rejected the attach: ${reason}`, reason);
  }
  if (ack.corrId !== corrId)
    throw new AttachError('PROTOCOL_ERROR', `NodeAttachAck corrId ${String(ack.corrId)} does not match the NodeAttach (${corrId})`);
  for (const field of ['targetSystemId', 'assignedPath', 'targetPhysicalPath'] as const) {
    if (typeof frame[field] !== 'string' || frame[field] === '') throw new AttachError('PROTOCOL_ERROR', `NodeAttachAck lacks ${field}`);
  }
}
