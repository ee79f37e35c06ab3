/**
 * The body of a close notice (`DELETE` on a link's ingress path): `{"code":…,"reason":…}` with a
 * WebSocket-style close code, written by the sender and read, bounded, by the ingress.
 */

/** Longest reason kept, in characters: a bound on peer input, the size of a WebSocket close reason. */
const MAX_CLOSE_REASON = 123;
const MAX_NOTICE_BYTES = 1024;

export interface CloseNotice {
  readonly code: number;
  readonly reason: string;
}

export function encodeCloseNotice(code: number, reason: string): string {
  return JSON.stringify({ code, reason });
}

/** The notice a body holds, or undefined when it is not one (too big, not JSON, code outside 1000–4999). */
export function parseCloseNotice(body: Uint8Array | undefined): CloseNotice | undefined {
  if (body === undefined || body.byteLength > MAX_NOTICE_BYTES) return undefined;
  try {
    const { code, reason } = JSON.parse(new TextDecoder().decode(body)) as { code?: unknown; reason?: unknown };
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 1000 || code > 4999) return undefined;
    return { code, reason: typeof reason === 'string' ? reason.slice(0, MAX_CLOSE_REASON) : '' };
  } catch {
    return undefined;
  }
}
