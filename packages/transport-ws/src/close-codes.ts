import { utf8ByteLength } from '@naylence/core';

/** Normal closure: orderly stop, idle timeout, replaced link (protocol-core §4.8). */
export const CLOSE_NORMAL = 1000;
/** The endpoint is going away (listener shutdown). */
export const CLOSE_GOING_AWAY = 1001;
/** Policy violation: authentication, invalid route, self attach. */
export const CLOSE_POLICY = 1008;
/** A message larger than the receiver's limit. */
export const CLOSE_TOO_BIG = 1009;
/** Internal error (unhandled failure, node not ready). */
export const CLOSE_INTERNAL = 1011;

/** Longest close reason a close frame can carry (RFC 6455 §5.5: 125-byte payload minus the code). */
const MAX_REASON_BYTES = 123;

/**
 * The code to put in a close frame for a requested `code`. Codes that RFC 6455 forbids on the
 * wire are mapped: 1005 ("no status") becomes 1000; 1006 (abnormal closure, a purely local
 * notion), 1015 and anything else unsendable become 1011.
 */
export function wireCloseCode(code: number): number {
  if ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)) {
    return code;
  }
  return code === 1005 ? CLOSE_NORMAL : CLOSE_INTERNAL;
}

/** `reason` cut (on a character boundary) to the 123 UTF-8 bytes a close frame can carry. */
export function wireCloseReason(reason: string): string {
  // Every UTF-16 unit encodes to at most 3 bytes, so short strings need no measuring.
  if (reason.length <= MAX_REASON_BYTES / 3 || utf8ByteLength(reason) <= MAX_REASON_BYTES) return reason;
  let out = '';
  let bytes = 0;
  for (const char of reason) {
    bytes += utf8ByteLength(char);
    if (bytes > MAX_REASON_BYTES) break;
    out += char;
  }
  return out;
}

/** The close code `ws` sends when its frame parser rejects input (mirrors the library's own choice). */
export function closeCodeForWsError(error: Error): number {
  switch ((error as { code?: unknown }).code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return CLOSE_TOO_BIG;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return CLOSE_POLICY;
    default:
      return 1002;
  }
}
