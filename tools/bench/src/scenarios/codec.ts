import { createEnvelope, decodeEnvelope, encodeEnvelope, serializeEnvelope, type FameEnvelope } from '@naylence/core';
import { consume, measureRate, summarize } from '../measure.js';
import type { Row, Scenario } from '../scenario.js';

/** A ~500-byte RPC request as it crosses a link (also the crypto scenario's sample). */
export function sampleRpcRequest(): FameEnvelope {
  return createEnvelope({
    sid: '1eOsTGlRMrt1nUrM5xHlwf',
    to: 'math@fame.fabric',
    replyTo: '__rpc__h9R1LqLsOx3gwaSg@/n1z4APh1v66jwtuJ/lcpjOo8HFutCs9We',
    rtype: 2,
    corrId: 'v7aCm2SElNsjl2NR',
    flowId: '1Rxvgm6CBtoveuQL',
    seqId: 1,
    flowFlags: 0,
    frame: {
      type: 'Data',
      payload: {
        jsonrpc: '2.0',
        id: 'v7aCm2SElNsjl2NR',
        method: 'summarize',
        params: { text: 'The quick brown fox jumps over the lazy dog. '.repeat(2), lang: 'en', max: 3 },
      },
    },
  });
}

function sampleWire(): string {
  return serializeEnvelope(sampleRpcRequest());
}

export const codecScenario: Scenario = {
  name: 'codec',
  description: 'decode+validate and encode of a ~500-byte Data envelope vs bare JSON.parse / JSON.stringify',
  run({ rounds, smoke }) {
    const wire = sampleWire();
    const bytes = new TextEncoder().encode(wire);
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const parsed = decodeEnvelope(wire);
    const duration = smoke ? 100 : 1_000;

    const pairs = [
      {
        label: 'decode+validate (text)',
        ours: () => consume(decodeEnvelope(wire)),
        bare: () => consume(JSON.parse(wire)),
      },
      {
        label: 'decode+validate (bytes)',
        ours: () => consume(decodeEnvelope(bytes)),
        bare: () => consume(JSON.parse(decoder.decode(bytes))),
      },
      {
        label: 'encode (text)',
        ours: () => consume(serializeEnvelope(parsed)),
        bare: () => consume(JSON.stringify(parsed)),
      },
      {
        label: 'encode (bytes)',
        ours: () => consume(encodeEnvelope(parsed)),
        bare: () => consume(encoder.encode(JSON.stringify(parsed))),
      },
    ];

    const rows: Row[] = pairs.map(({ label, ours, bare }) => {
      const oursRates: number[] = [];
      const bareRates: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // interleaved, so drift in machine load hits both sides alike
        bareRates.push(measureRate(bare, duration).opsPerSec);
        oursRates.push(measureRate(ours, duration).opsPerSec);
      }
      const o = summarize(oursRates);
      const b = summarize(bareRates);
      return { label, unit: 'ops/s', ours: o, bare: b, target: { vs: 'bare', op: '>=', value: 0.66 } } satisfies Row;
    });
    return Promise.resolve({
      scenario: 'codec',
      rows,
      notes: [`envelope size: ${bytes.byteLength} bytes; bare = JSON.parse / JSON.stringify (+ TextDecoder / TextEncoder for bytes)`],
    });
  },
};
