import { describe, expect, it } from 'vitest';
import { createEnvelope, type FameFrame } from '@naylence/core';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { canonicalJson, withoutNulls } from './canonical-json.js';
import { frameDigest, frameDigestInput, immutableHeadersJson, payloadDigest, secureDigestSync } from './digests.js';
import { materializeFrame } from './frame-defaults.js';

describe('canonical JSON', () => {
  it('sorts members by UTF-16 unit, keeps nulls, drops undefined, writes JS number forms', () => {
    expect(canonicalJson({ b: 1, a: [3, null, undefined], c: undefined, d: { z: 1.0, y: 1e16 } })).toBe(
      '{"a":[3,null,null],"b":1,"d":{"y":10000000000000000,"z":1}}',
    );
    expect(canonicalJson({ '\uffff': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uffff":1}');
    expect(canonicalJson('tab\there "q" / é')).toBe('"tab\\there \\"q\\" / é"');
    expect(canonicalJson(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it('puts array-index keys first in numeric order, as JSON.stringify of a sorted JS object does', () => {
    const value = { b: 1, '10': 2, a: 3, '2': 4, '01': 5 };
    expect(canonicalJson(value)).toBe('{"2":4,"10":2,"01":5,"a":3,"b":1}');
    // What the reference computes: sort the entries, rebuild an object, stringify it.
    const rebuilt = Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(canonicalJson(value)).toBe(JSON.stringify(rebuilt));
  });

  it('removes null members and array elements recursively for frame digests', () => {
    expect(withoutNulls({ a: null, b: [1, null, { c: null, d: 2 }] })).toEqual({ b: [1, { d: 2 }] });
  });
});

describe('frame digests', () => {
  it('materialize schema defaults from core’s frame schemas (§8 C4)', () => {
    const bare: FameFrame = { type: 'AddressBindAck', address: 'math@fame.fabric', refId: 'r' };
    expect(materializeFrame(bare)).toEqual({ type: 'AddressBindAck', address: 'math@fame.fabric', refId: 'r', ok: true });
    expect(frameDigest(provider, bare)).toBe(frameDigest(provider, { ...bare, ok: true }));
    expect(frameDigest(provider, bare)).not.toBe(frameDigest(provider, { ...bare, ok: false }));
    const open: FameFrame = { type: 'SecureOpen', cid: 'c', ephPub: 'AAAA' };
    expect(frameDigestInput(open)).toBe('{"alg":"CHACHA20P1305","cid":"c","ephPub":"AAAA","opts":0,"type":"SecureOpen"}');
  });

  it('ignore members the schema does not know (a reference receiver strips them) and nulls', () => {
    const frame = { type: 'KeyRequest', kid: 'k', physicalPath: '/p', extra: 1, address: null } as unknown as FameFrame;
    expect(frameDigestInput(frame)).toBe('{"kid":"k","physicalPath":"/p","type":"KeyRequest"}');
  });

  it('use pd for Data frames, with the TS "" quirk in payloadDigest', () => {
    expect(frameDigest(provider, { type: 'Data', payload: 1, pd: 'given' })).toBe('given');
    const empty = secureDigestSync(provider, '');
    expect(payloadDigest(provider, null)).toBe(empty);
    expect(payloadDigest(provider, undefined)).toBe(empty);
    expect(payloadDigest(provider, '')).toBe(empty);
    expect(payloadDigest(provider, 'x')).toBe(secureDigestSync(provider, '"x"'));
  });

  it('write the immutable headers as the TS reference does', () => {
    const envelope = createEnvelope({ id: 'i', traceId: 't', frame: { type: 'Data', payload: null }, capabilities: ['b', 'a'] });
    expect(immutableHeadersJson({ ...envelope, version: undefined as never, to: '' })).toBe(
      '{"capabilities":["b","a"],"corr_id":null,"id":"i","reply_to":null,"sid":null,"to":null,"trace_id":"t","version":"1.0"}',
    );
    expect(immutableHeadersJson({ ...envelope, sid: '' })).toContain('"sid":""');
  });
});
