import { ERROR_CODES, FameError, type ErrorCode, type ErrorCodeMapping } from '@naylence/core';

/** Normal closure: orderly stop, idle timeout, replaced link (protocol-core §4.8). */
export const CLOSE_NORMAL = 1000;
/** The endpoint is going away (listener shutdown). */
export const CLOSE_GOING_AWAY = 1001;
/** Abnormal closure: the peer could not be reached (a local notion, never sent). */
export const CLOSE_ABNORMAL = 1006;

/** The FameError code that stands for an HTTP error status a receiver answered with. */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'AUTHENTICATION_FAILED';
    case 403:
      return 'AUTHORIZATION_FAILED';
    case 409:
      return 'CONNECTOR_CLOSED';
    case 413:
      return 'MESSAGE_TOO_LARGE';
    case 429:
      return 'BACK_PRESSURE';
    case 503:
      return 'NOT_READY';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'PROTOCOL_ERROR';
  }
}

/**
 * A receiver answered a POST with an error status. The connector that sent it closes with
 * {@link closeCodeForStatus} and this error in its `CloseInfo`.
 */
export class HttpStatusError extends FameError {
  override name = 'HttpStatusError';
  readonly status: number;
  /** The receiver's error text (`{"error": …}` or `{"detail": …}`), if any. */
  readonly detail: string | undefined;
  constructor(status: number, detail: string | undefined, url: string) {
    super(errorCodeForStatus(status), `POST ${url} answered ${status}${detail === undefined ? '' : `: ${detail}`}`);
    this.status = status;
    this.detail = detail;
  }
}

/**
 * The close code of a connector whose request was answered with `status`: the WebSocket close
 * code of the matching error code (1008 for 401/403, 1009 for 413, 1002 for other 4xx, 1011
 * for 5xx), except 409 (the link was replaced by a newer attach), a normal closure.
 */
export function closeCodeForStatus(status: number): number {
  if (status === 409) return CLOSE_NORMAL;
  const mapping: ErrorCodeMapping = ERROR_CODES[errorCodeForStatus(status)];
  return mapping.wsClose ?? 1011;
}

/** The error text of a reference-style error body: `{"error": "…"}` (TS) or `{"detail": "…"}` (Python). */
export function errorDetail(body: string): string | undefined {
  if (body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed !== null && typeof parsed === 'object') {
      const { error, detail } = parsed as { error?: unknown; detail?: unknown };
      if (typeof error === 'string') return error;
      if (typeof detail === 'string') return detail;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.length > 200 ? `${body.slice(0, 200)}…` : body;
}
