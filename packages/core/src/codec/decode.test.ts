import { describe, expect, it } from 'vitest';
import { FameError, InvalidEnvelopeError, MessageTooLargeError, UnknownFrameError } from '../errors.js';
import { createEnvelope } from '../envelope-builders.js';
import { decodeEnvelope } from './decode.js';
import { encodeEnvelope, serializeEnvelope } from './encode.js';

const data = (extra: Record<string, unknown> = {}, frame: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'e1', to: 'math@fame.fabric', ...extra, frame: { type: 'Data', payload: 1, ...frame } });

function errorOf(fn: () => unknown): FameError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FameError);
    return error as FameError;
  }
  throw new Error('expected a throw');
}

describe('decodeEnvelope: lenient where the reference is sloppy', () => {
  it('maps snake_case header keys of the reference auth-failure ack', () => {
    const text =
      '{"version":"1.0","id":"Yt8WzFyTp7pquERm","trace_id":"WXYMjuJdRqDT6zVC","seq_id":0,"flow_flags":0,"frame":{"type":"NodeAttachAck","ok":false,"reason":"Authentication failed"},"ts":"2026-11-24T04:13:11.252Z"}';
    const env = decodeEnvelope(text);
    expect(env).toMatchObject({ traceId: 'WXYMjuJdRqDT6zVC', seqId: 0, flowFlags: 0, frame: { ok: false } });
    expect(env).not.toHaveProperty('trace_id');
  });

  it('prefers camelCase when both casings are present', () => {
    expect(decodeEnvelope(data({ corrId: 'camel', corr_id: 'snake' })).corrId).toBe('camel');
  });

  it('keeps the duplicated snake_case keys of a TS NodeAttachAck as unknown frame keys', () => {
    const env = decodeEnvelope(
      JSON.stringify({ id: 'a', frame: { type: 'NodeAttachAck', ok: true, assignedPath: '/p/c', assigned_path: '/p/c' } }),
    );
    expect(env.frame).toMatchObject({ assignedPath: '/p/c', assigned_path: '/p/c' });
  });

  it('reads a Data frame without payload as payload null', () => {
    const env = decodeEnvelope(JSON.stringify({ id: 'a', frame: { type: 'Data' } }));
    expect(env.frame).toEqual({ type: 'Data', payload: null });
  });

  it('accepts any fractional precision in timestamps', () => {
    for (const ts of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.6Z', '2026-01-02T03:04:05.678901Z', '2026-01-02T03:04:05.678+00:00']) {
      expect(decodeEnvelope(data({ ts })).ts).toBe(ts);
    }
  });

  it('accepts envelopes without version, ts, traceId, sid or flowId (vector 16)', () => {
    const env = decodeEnvelope(data());
    expect(env.version).toBeUndefined();
  });

  it('gives an envelope without id a fresh one, as the validating references do', () => {
    const env = decodeEnvelope('{"frame":{"type":"NodeHello","systemId":"x","instanceId":"i"}}');
    expect(env.id).toMatch(/^[0-9a-zA-Z]{16}$/);
  });
});

describe('decodeEnvelope: strict where it matters', () => {
  it('rejects malformed JSON', () => {
    const err = errorOf(() => decodeEnvelope('{"id":'));
    expect(err).toBeInstanceOf(InvalidEnvelopeError);
    expect(err.code).toBe('INVALID_ENVELOPE');
    expect(err.message).toMatch(/malformed JSON/);
  });

  it('rejects non-objects', () => {
    for (const text of ['null', '[]', '42', '"x"']) expect(errorOf(() => decodeEnvelope(text)).code).toBe('INVALID_ENVELOPE');
  });

  it('rejects invalid UTF-8', () => {
    expect(errorOf(() => decodeEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]))).message).toMatch(/UTF-8/);
  });

  it('rejects an unknown frame type with UNKNOWN_FRAME', () => {
    const err = errorOf(() => decodeEnvelope(JSON.stringify({ id: 'a', frame: { type: 'Bogus' } })));
    expect(err).toBeInstanceOf(UnknownFrameError);
    expect(err.code).toBe('UNKNOWN_FRAME');
    expect((err as UnknownFrameError).frameType).toBe('Bogus');
  });

  it.each([
    ['to', { to: 'not an address' }, '/to', /not a valid FAME address/],
    ['replyTo', { replyTo: 'a@x.*.y' }, '/replyTo', /not a valid FAME address/],
    ['seqId type', { seqId: '1' }, '/seqId', /integer/i],
    ['negative seqId', { seqId: -1 }, '/seqId', /greater or equal/i],
    ['rtype type', { rtype: 1.5 }, '/rtype', /integer/i],
    ['capabilities', { capabilities: 'x' }, '/capabilities', /array/i],
    ['priority', { priority: 'urgent' }, '/priority', /./],
    ['ts', { ts: '2026-01-02 03:04:05' }, '/ts', /not an ISO-8601 UTC timestamp/],
    ['id type', { id: 7 }, '/id', /string/i],
  ])('names the offending field: %s', (_name, extra, field, message) => {
    const err = errorOf(() => decodeEnvelope(data(extra)));
    expect(err).toBeInstanceOf(InvalidEnvelopeError);
    expect((err as InvalidEnvelopeError).field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(message);
  });

  it('validates frame fields and names them', () => {
    const err = errorOf(() => decodeEnvelope(JSON.stringify({ id: 'a', frame: { type: 'AddressBind', address: 'nope' } })));
    expect((err as InvalidEnvelopeError).field).toBe('/frame/address');
    const missing = errorOf(() => decodeEnvelope(JSON.stringify({ id: 'a', frame: { type: 'CreditUpdate', flowId: 'f' } })));
    expect((missing as InvalidEnvelopeError).field).toBe('/frame/credits');
  });

  it('rejects a missing or malformed frame', () => {
    expect((errorOf(() => decodeEnvelope('{"id":"a"}')) as InvalidEnvelopeError).field).toBe('/frame');
    expect((errorOf(() => decodeEnvelope('{"id":"a","frame":{}}')) as InvalidEnvelopeError).field).toBe('/frame/type');
  });

  it('enforces the size limit on bytes and on text, default 256 KiB', () => {
    const big = data({}, { payload: 'x'.repeat(262_144) });
    const err = errorOf(() => decodeEnvelope(big));
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect(err.code).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(() => decodeEnvelope(new TextEncoder().encode(big))).code).toBe('MESSAGE_TOO_LARGE');
    expect(() => decodeEnvelope(data(), { maxBytes: 10 })).toThrow(MessageTooLargeError);
    // multi-byte characters count in bytes, not UTF-16 units
    const wide = data({}, { payload: 'é'.repeat(100) });
    expect(() => decodeEnvelope(wide, { maxBytes: wide.length + 50 })).toThrow(MessageTooLargeError);
  });
});

describe('encode', () => {
  it('writes keys in wire order, omits absent fields and keeps unknown keys last', () => {
    const env = decodeEnvelope(
      JSON.stringify({
        zzExtra: 1,
        frame: { type: 'Data', ffExtra: 2, payload: null },
        ts: '2026-01-02T03:04:05.678Z',
        id: 'x',
        version: '1.0',
      }),
    );
    expect(serializeEnvelope(env)).toBe(
      '{"version":"1.0","id":"x","frame":{"type":"Data","ffExtra":2,"payload":null},"ts":"2026-01-02T03:04:05.678Z","zzExtra":1}',
    );
  });

  it('preserves unknown envelope and frame keys through decode → encode (forwarding)', () => {
    const wire =
      '{"id":"req1","corrId":"cx1","to":"math@fame.fabric","rtype":2,"zzExtra":1,"frame":{"type":"Data","ffExtra":2,"payload":{}}}';
    const forwarded = decodeEnvelope(encodeEnvelope(decodeEnvelope(wire)));
    expect(forwarded).toMatchObject({ zzExtra: 1, frame: { ffExtra: 2 } });
  });

  it('refuses to produce an envelope over the limit', () => {
    const env = createEnvelope({ frame: { type: 'Data', payload: 'x'.repeat(300_000) } });
    expect(() => encodeEnvelope(env)).toThrow(MessageTooLargeError);
    expect(() => encodeEnvelope(env, { maxBytes: 1_000_000 })).not.toThrow();
  });

  it('turns unserializable payloads into INVALID_ENVELOPE', () => {
    const env = createEnvelope({ frame: { type: 'Data', payload: { n: 1n } } });
    expect(errorOf(() => encodeEnvelope(env)).code).toBe('INVALID_ENVELOPE');
  });
});
