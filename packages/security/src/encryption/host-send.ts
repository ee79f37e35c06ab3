/** Sending through the `EncryptionHost` without letting a failure escape into the caller's flow. */
import { createNack, type DeliveryAckCode, type FameEnvelope, type Logger } from '@naylence/core';
import type { EncryptionHost } from './encryption-manager.js';

/** `host.send` (or `sendUpstream`), with errors, sync or async, logged instead of thrown. */
export function sendSafely(host: EncryptionHost, envelope: FameEnvelope, logger: Logger, upstream = false): void {
  const fail = (error: unknown) =>
    logger.warn({ err: error, envelopeId: envelope.id, frame: envelope.frame.type }, 'encryption manager could not send an envelope');
  try {
    const sent = upstream ? host.sendUpstream(envelope) : host.send(envelope);
    if (sent instanceof Promise) sent.catch(fail);
  } catch (error) {
    fail(error);
  }
}

/**
 * Answers a queued envelope that will never be sent: the host's `refused` first, else
 * `DeliveryAck{ok:false, code, reason}` to its `replyTo` (with its `corrId` and `traceId`). Without `replyTo` there is nobody to tell:
 * it is dropped with a log line.
 */
export function nackQueued(host: EncryptionHost, envelope: FameEnvelope, code: DeliveryAckCode, reason: string, logger: Logger): void {
  if (host.refused?.(envelope, code, reason) === true) return;
  if (envelope.replyTo === undefined) {
    logger.warn({ envelopeId: envelope.id, code, reason }, 'dropped a queued envelope that could not be encrypted');
    return;
  }
  sendSafely(host, createNack(envelope, code, reason), logger);
}
