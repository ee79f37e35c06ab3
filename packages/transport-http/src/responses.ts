import { LINK_HEADER } from './route.js';

/** One answer of the ingress: status and JSON body (protocol-core §4.9, admission-and-http §4). */
export interface IngressResponse {
  readonly status: number;
  /** JSON text, sent as `application/json; charset=utf-8`. */
  readonly body: string;
  /** Extra response headers (the `x-fame-link` echo, `allow`). */
  readonly headers?: Readonly<Record<string, string>>;
}

function json(status: number, value: object): IngressResponse {
  return { status, body: JSON.stringify(value) };
}

function error(status: number, text: string): IngressResponse {
  return json(status, { error: text });
}

/** The answers, with the reference's exact bodies where it has one. */
export const RESPONSES = {
  attachInProgress: json(202, { status: 'attach_in_progress' }),
  messageReceived: json(202, { status: 'message_received' }),
  closed: json(200, { status: 'closed' }),
  invalidBody: error(400, 'Invalid request body - expected FameEnvelope JSON'),
  childIdMismatch: error(400, 'Child ID mismatch'),
  noConnection: error(400, 'No established connection - NodeAttach required'),
  selfAttach: error(400, 'Self attachment not allowed'),
  unsupportedCallbackAuth: error(400, 'Unsupported callback grant auth'),
  callbackNotAllowed: error(400, 'Callback URL not allowed'),
  invalidClose: error(400, 'Invalid close notice - expected {"code": number, "reason": string}'),
  authenticationFailed: error(401, 'Authentication failed'),
  notFound: error(404, 'Not found'),
  staleLink: error(409, 'Stale link - replaced by a newer attach'),
  tooLarge: error(413, 'Request body too large'),
  busy: error(429, 'receiver busy'),
  authThrottled: error(429, 'Too many failed authentication attempts'),
  internal: error(500, 'Internal server error'),
  notInitialized: error(503, 'Node not initialized'),
  notReady: error(503, 'Node not ready'),
  noUpstream: error(503, 'No upstream connector available'),
  tooManyLinks: error(503, 'Too many links'),
  tooManyAttaches: error(503, 'Too many attaches in progress'),
} as const;

/** `400 No suitable connector found for child <id>` (the reference answers this with 500, §10). */
export function noCallbackGrant(systemId: string): IngressResponse {
  return error(400, `No suitable connector found for child ${systemId}`);
}

/** `405` with the methods the route takes. */
export function methodNotAllowed(allow: string): IngressResponse {
  return { ...error(405, 'Method not allowed'), headers: { allow } };
}

/** The health document, byte-compatible with the reference listener's. */
export const HEALTH_BODY = JSON.stringify({ status: 'healthy', listenerType: 'HttpListener', listener_type: 'HttpListener' });

/** `response` echoing `x-fame-link` (our ordering extension), when the request carried one. */
export function withLink(response: IngressResponse, linkId: string | undefined): IngressResponse {
  return linkId === undefined ? response : { ...response, headers: { [LINK_HEADER]: linkId } };
}
