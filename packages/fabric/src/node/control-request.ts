import { createEnvelope, FameError, randomId, ResponseType, type FameEnvelope, type FameFrame } from '@naylence/core';
import type { PendingRequests } from './pending-requests.js';

/**
 * Send a control frame (AddressBind, CapabilityAdvertise, …) with `rtype` ACK and a fresh
 * `corrId`, and wait for the ack matched by that corrId (protocol-core §3.4, §6.3).
 * @throws FameError `ATTACH_REJECTED` for an ack with ok:false; TIMEOUT; the send's error
 */
export async function controlRequest(
  send: (envelope: FameEnvelope) => Promise<void>,
  pending: PendingRequests,
  frame: FameFrame,
  options: { readonly replyTo: string | undefined; readonly sid: string | undefined; readonly timeoutMs: number },
): Promise<FameEnvelope> {
  const corrId = randomId();
  const { replyTo, sid, timeoutMs } = options;
  const envelope = createEnvelope({ sid, replyTo, rtype: ResponseType.ACK, corrId, frame });
  const answer = pending.wait(corrId, `${frame.type} ack`, timeoutMs);
  send(envelope).catch((error: Error) => pending.fail(corrId, error));
  const ack = await answer;
  const ackFrame = ack.frame as { ok?: boolean; code?: string; reason?: string };
  if (ackFrame.ok === false) {
    throw new FameError('ATTACH_REJECTED', `${frame.type} refused: ${ackFrame.reason ?? ackFrame.code ?? 'no reason given'}`);
  }
  return ack;
}

/** A control ack for `request`: same corrId and traceId, `refId` = its id, no `to` (it goes straight down the link). */
export function controlAck<F extends FameFrame>(request: FameEnvelope, frame: F, sid: string | undefined): FameEnvelope<F> {
  // (createEnvelope leaves undefined fields out: no spread objects on this per-attach path)
  return createEnvelope({ sid, traceId: request.traceId, corrId: request.corrId, frame });
}
