const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Node's `Buffer.from` encodes small strings about three times faster than `TextEncoder`
 * (it allocates from a pool); a Buffer is a Uint8Array, so callers cannot tell. Browsers use
 * `TextEncoder`. (Detected, not imported: this module runs in browsers.)
 */
const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'utf8'): Uint8Array } }).Buffer;

export const utf8Encode: (text: string) => Uint8Array = NodeBuffer
  ? (text) => NodeBuffer.from(text, 'utf8')
  : (text) => encoder.encode(text);

/** @throws TypeError on invalid UTF-8 */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Byte length of `text` in UTF-8 without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** True when `text` is longer than `limit` bytes in UTF-8; cheap for short strings. */
export function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8ByteLength(text) > limit;
}
