import { capturedMessages, findEnvelopes, listVectorFiles, readVector } from '@naylence-tools/conformance';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from './decode.js';
import { serializeEnvelope } from './encode.js';

// Every envelope captured from reference nodes (and produced by the Python models) must
// decode, and re-encode to JSON that means the same thing. The only allowed differences are
// the documented leniencies: snake_case header keys become camelCase, a Data frame without
// payload gets `payload: null`, a missing id gets a fresh one.

const SNAKE: Record<string, string> = {
  trace_id: 'traceId',
  reply_to: 'replyTo',
  corr_id: 'corrId',
  flow_id: 'flowId',
  seq_id: 'seqId',
  flow_flags: 'flowFlags',
};

function expected(original: Record<string, unknown>, decoded: { id: string }): Record<string, unknown> {
  const copy = structuredClone(original);
  if (!('id' in copy)) copy.id = decoded.id;
  for (const [snake, camel] of Object.entries(SNAKE)) {
    if (snake in copy) {
      if (!(camel in copy)) copy[camel] = copy[snake];
      delete copy[snake];
    }
  }
  const frame = copy.frame as Record<string, unknown>;
  if (frame.type === 'Data' && !('payload' in frame)) frame.payload = null;
  return copy;
}

const cases = listVectorFiles().flatMap((file) => findEnvelopes(readVector(file)).map((found) => ({ file, ...found })));

describe('spec vectors', () => {
  it('finds envelopes in every vector file that has them', () => {
    const files = new Set(cases.map((c) => c.file));
    expect(files.size).toBeGreaterThanOrEqual(20);
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases.map((c) => [`${c.file}#${c.pointer}`, c] as const))('%s decodes and re-encodes', (_name, c) => {
    const wire = JSON.stringify(c.envelope);
    const decoded = decodeEnvelope(new TextEncoder().encode(wire));
    expect(JSON.parse(serializeEnvelope(decoded))).toEqual(expected(c.envelope, decoded));
    // text frames decode the same as binary ones
    expect(decodeEnvelope(wire)).toEqual({ ...decoded, id: 'id' in c.envelope ? decoded.id : expect.any(String) });
  });

  it('re-encodes reference envelopes byte for byte when they use wire key order', () => {
    const ack = capturedMessages('01-ws-attach-bind-advertise.json')[3]!.envelope;
    const wire = JSON.stringify(ack);
    expect(serializeEnvelope(decodeEnvelope(wire))).toBe(wire);
  });
});
