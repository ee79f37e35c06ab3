import { encodeEnvelope, serializeEnvelope, type EncodeOptions, type FameEnvelope, type WireMessage } from '@naylence/core';

type FlowFields = { flowId?: string | undefined; seqId?: number | undefined; flowFlags?: number | undefined };

/**
 * `envelope` encoded once, with this hop's flow fields, into the form the transport carries
 * (bytes, or text for an in-process transport). The fields are written for the encoding and
 * put back at once: the envelope may be a caller's own, which the fabric never changes.
 */
export function encodeForHop(
  envelope: FameEnvelope,
  flowId: string,
  seqId: number,
  flowFlags: number,
  text: boolean,
  options: EncodeOptions,
): WireMessage {
  const fields = envelope as FlowFields;
  const saved = [fields.flowId, fields.seqId, fields.flowFlags] as const;
  fields.flowId = flowId;
  fields.seqId = seqId;
  fields.flowFlags = flowFlags;
  try {
    return text ? serializeEnvelope(envelope, options) : encodeEnvelope(envelope, options);
  } finally {
    fields.flowId = saved[0];
    fields.seqId = saved[1];
    fields.flowFlags = saved[2];
  }
}
