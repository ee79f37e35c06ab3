/**
 * Byte encodings used on the wire (protocol-security §3.1, §5): base64url without padding for
 * signatures and JWK members, standard base64 with padding for channel keys, UTF-8. Decoders
 * accept either alphabet with or without padding, as the spec requires. Platform-neutral.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  DECODE[STD.charCodeAt(i)] = i;
  DECODE[URL.charCodeAt(i)] = i;
}

/** Node's `Buffer` where there is one (not imported: this module also runs in browsers). */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(
        buffer: ArrayBufferLike,
        offset: number,
        length: number,
      ): { toString(encoding: string): string; write(text: string, encoding: string): number };
    };
  }
).Buffer;

/** Bytes decoded natively into a fresh array of `length` bytes (Node); undefined elsewhere. */
function nativeDecode(text: string, encoding: 'base64' | 'hex', length: number): Uint8Array | undefined {
  if (!NodeBuffer) return undefined;
  const out = new Uint8Array(length);
  return NodeBuffer.from(out.buffer, 0, length).write(text, encoding) === length ? out : undefined;
}

/** Either base64 alphabet, at most two `=` at the end: what {@link base64Decode} reads. */
const BASE64_TEXT = /^[A-Za-z0-9+/_-]*={0,2}$/;

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  // Native encoding is ~10x faster on ciphertexts; same output.
  if (NodeBuffer && pad === (alphabet === STD))
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(alphabet === STD ? 'base64' : 'base64url');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** URL-safe base64 without padding (signatures, JWK `x`/`d`). */
export function base64UrlEncode(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}

/** Standard base64 with padding (channel `ephPub`, channel ciphertext). */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}

/**
 * Decodes base64 in either alphabet, with or without `=` padding. Returns `undefined` for
 * anything else (wrong characters, impossible length), so callers choose their error.
 */
export function base64Decode(text: string): Uint8Array | undefined {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (text.length - end > 2 || end % 4 === 1) return undefined;
  const length = Math.floor((end * 3) / 4);
  // Node's decoder reads both alphabets too but skips what it does not know: checked first.
  if (NodeBuffer && BASE64_TEXT.test(text)) return nativeDecode(text, 'base64', length);
  const out = new Uint8Array(length);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

export { utf8Encode, utf8Decode } from '@naylence/core';

/** Lowercase hex; one flat string (Node's native encoder where there is one). */
export function hexEncode(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

export function hexDecode(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  if (NodeBuffer) return nativeDecode(hex, 'hex', hex.length / 2);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
