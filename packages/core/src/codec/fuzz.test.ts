import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FameError } from '../errors.js';
import { decodeEnvelope } from './decode.js';

// Every input either decodes or throws a FameError: never another exception, never a hang.

const seeds = [
  '{"version":"1.0","id":"mjXwxj5XSVhTVjNC","sid":"1eOsTGlRMrt1nUrM5xHlwf","traceId":"apYIWugW95BiObG4","to":"math@fame.fabric","replyTo":"__rpc__h9R1LqLsOx3gwaSg@/n1z4APh1v66jwtuJ/lcpjOo8HFutCs9We","rtype":2,"corrId":"v7aCm2SElNsjl2NR","flowId":"1Rxvgm6CBtoveuQL","seqId":1,"flowFlags":0,"frame":{"type":"Data","payload":{"jsonrpc":"2.0","id":"v7aCm2SElNsjl2NR","method":"add","params":{"x":3,"y":4}}},"ts":"2026-11-24T04:02:43.280Z"}',
  '{"version":"1.0","id":"Q6E0jXf9CVHg9lN0","traceId":"aV3HGfKOvU0cU9FY","corrId":"Qeo4qAz1psr51ISi","flowId":"j18n33LgEg7oHwBk","seqId":0,"flowFlags":1,"frame":{"type":"NodeAttach","originType":"downstream","systemId":"uLCVO7F9EAxxrQHB","instanceId":"bUqHZV9Osce5S8do","acceptedLogicals":["fame.fabric"]},"ts":"2026-11-24T04:02:38.257Z"}',
  '{"version":"1.0","id":"CmQaDMXcQ1hjO5dF","traceId":"LVyzsoyBTQmOC5NH","flowId":"nfg7Vy6OOBzSC6nm","seqId":0,"flowFlags":2,"frame":{"type":"CreditUpdate","flowId":"nfg7Vy6OOBzSC6nm","credits":32},"ts":"2026-11-24T04:05:38.712Z"}',
  '{"version":"1.0","id":"Yt8WzFyTp7pquERm","trace_id":"WXYMjuJdRqDT6zVC","seq_id":0,"flow_flags":0,"frame":{"type":"NodeAttachAck","ok":false,"reason":"Authentication failed"},"ts":"2026-11-24T04:13:11.252Z"}',
];

function decodesOrFameError(input: Uint8Array | string): void {
  try {
    decodeEnvelope(input);
  } catch (error) {
    if (!(error instanceof FameError)) throw error;
  }
}

/** Replace, insert or delete characters of a valid envelope. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.string({ minLength: 0, maxLength: 3 })), { minLength: 1, maxLength: 6 }),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [at, op, chars] of edits) {
      const i = at % (text.length + 1);
      if (op === 0) text = text.slice(0, i) + chars + text.slice(i + 1);
      else if (op === 1) text = text.slice(0, i) + chars + text.slice(i);
      else text = text.slice(0, i) + text.slice(i + chars.length + 1);
    }
    return text;
  });

/** Valid JSON of the right overall shape with random values in every field. */
const structured = fc.record(
  {
    version: fc.oneof(fc.string(), fc.integer()),
    id: fc.oneof(fc.string(), fc.constant(null)),
    to: fc.oneof(fc.string(), fc.constantFrom('math@fame.fabric', 'a@*.b', 'x@/p/q')),
    seqId: fc.oneof(fc.integer(), fc.double(), fc.string()),
    flowFlags: fc.anything(),
    frame: fc.oneof(
      fc.anything(),
      fc.record(
        {
          type: fc.constantFrom('Data', 'NodeAttach', 'AddressBind', 'CreditUpdate', 'Bogus'),
          payload: fc.anything(),
          address: fc.anything(),
          credits: fc.anything(),
        },
        { requiredKeys: ['type'] },
      ),
    ),
    meta: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('decodeEnvelope fuzzing', () => {
  it('survives 4,000 mutated envelopes', () => {
    fc.assert(
      fc.property(mutated, (text) => decodesOrFameError(text)),
      { numRuns: 4_000 },
    );
  });

  it('survives 3,000 structured envelopes with random field values', () => {
    fc.assert(
      fc.property(structured, (value) => decodesOrFameError(JSON.stringify(value))),
      { numRuns: 3_000 },
    );
  });

  it('survives 2,000 arbitrary JSON values and 1,000 random byte strings', () => {
    fc.assert(
      fc.property(fc.json(), (text) => decodesOrFameError(text)),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrFameError(bytes)),
      { numRuns: 1_000 },
    );
  });

  it('rejects deeply nested input with a FameError, not a stack overflow', () => {
    const deep = `{"id":"a","frame":{"type":"Data","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    decodesOrFameError(deep);
  });

  it('decodes every seed', () => {
    for (const seed of seeds) expect(decodeEnvelope(seed).id).toBeTruthy();
  });
});
