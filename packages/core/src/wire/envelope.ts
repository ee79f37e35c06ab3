import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FrameSchema, type FameFrame } from './frames.js';
import { AddressString, PRIORITIES, StringList, Timestamp } from './primitives.js';
import { SecurityHeaderSchema } from './security-header.js';

/** Envelope keys in the order both reference implementations write them (protocol-core §1.2). */
export const ENVELOPE_KEY_ORDER = [
  'version',
  'id',
  'sid',
  'traceId',
  'to',
  'replyTo',
  'capabilities',
  'rtype',
  'corrId',
  'flowId',
  'seqId',
  'flowFlags',
  'ttl',
  'priority',
  'frame',
  'ts',
  'sec',
  'aft',
  'meta',
] as const;

/** Builds the envelope schema around a frame schema (the full union, or a loose shell). */
export function envelopeSchemaWith<F extends TSchema>(frame: F) {
  return Type.Object(
    {
      version: Type.Optional(Type.String({ description: 'Always "1.0"' })),
      id: Type.String({ description: 'Unique envelope id; kept when forwarded and on retransmission' }),
      sid: Type.Optional(Type.String({ description: "secureDigest of the sender's physical path" })),
      traceId: Type.Optional(Type.String()),
      to: Type.Optional(AddressString('Destination; absent means capability routing')),
      replyTo: Type.Optional(AddressString('Where replies, acks and NACKs go')),
      capabilities: Type.Optional(StringList('Capability routing when `to` is absent')),
      rtype: Type.Optional(Type.Integer({ minimum: 0, description: 'ResponseType bits: ACK=1, REPLY=2, STREAM=4' })),
      corrId: Type.Optional(Type.String({ description: 'Correlation id; equals the JSON-RPC id for RPC' })),
      flowId: Type.Optional(Type.String({ description: 'Flow-control stream id' })),
      seqId: Type.Optional(Type.Integer({ minimum: 0, description: 'Per link and flow, rewritten at every hop' })),
      flowFlags: Type.Optional(Type.Integer({ minimum: 0, description: 'FlowFlags bits: SYN=1, ACK=2, RESET=4' })),
      ttl: Type.Optional(Type.Integer({ description: 'Hops left before the envelope is dropped' })),
      priority: Type.Optional(Type.Union(PRIORITIES.map((p) => Type.Literal(p)))),
      frame,
      ts: Type.Optional(Timestamp('Creation time')),
      sec: Type.Optional(SecurityHeaderSchema),
      aft: Type.Optional(Type.String({ description: 'Affinity tag (JWS compact)' })),
      meta: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Extension metadata' })),
    },
    { title: 'FameEnvelope', description: 'One FAME message: exactly one frame plus routing headers' },
  );
}

/** The envelope with the full frame union: use this one to generate JSON Schema. */
export const EnvelopeSchema = envelopeSchemaWith(FrameSchema);

type EnvelopeStatic = Static<typeof EnvelopeSchema>;

/** A FAME envelope carrying a frame of type `F` (any frame by default). */
export type FameEnvelope<F extends FameFrame = FameFrame> = Omit<EnvelopeStatic, 'frame'> & { frame: F };
