import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, base64UrlEncode, hexDecode, hexEncode } from './encoding.js';

describe('byte encodings', () => {
  it('base64Decode reads both alphabets, with or without padding, for every length', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const std = base64Encode(bytes);
      const url = base64UrlEncode(bytes);
      for (const text of [std, std.replace(/=+$/, ''), url, `${url}${'='.repeat((4 - (url.length % 4)) % 4)}`]) {
        const decoded = base64Decode(text);
        expect(decoded).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(decoded!).equals(Buffer.from(bytes))).toBe(true);
      }
    }
  });

  it('base64Decode ignores the unused low bits of the last character, as the portable decoder does', () => {
    expect([...base64Decode('QR==')!]).toEqual([0x41]);
    expect([...base64Decode('QR')!]).toEqual([0x41]);
    expect([...base64Decode('QUJ')!]).toEqual([0x41, 0x42]);
  });

  it('base64Decode refuses what is not base64', () => {
    for (const text of ['Q', 'QUJDR', 'QU JD', 'QU=D', 'QUJD===', 'QUJ=D', 'QUJD\n', '€€€€', 'QUJ*']) {
      expect(base64Decode(text), text).toBeUndefined();
    }
    expect(base64Decode('')).toEqual(new Uint8Array(0));
  });

  it('hexDecode reads either case and refuses the rest', () => {
    const bytes = new Uint8Array(randomBytes(12));
    expect(Buffer.from(hexDecode(hexEncode(bytes))!).equals(Buffer.from(bytes))).toBe(true);
    expect([...hexDecode('00fFa0')!]).toEqual([0, 255, 160]);
    for (const text of ['0', 'zz', '0g', '00 1', '0x00']) expect(hexDecode(text), text).toBeUndefined();
  });
});
