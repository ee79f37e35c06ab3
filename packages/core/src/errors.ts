import { clipText } from './clip.js';

/**
 * One error hierarchy for every @naylence package. Each error carries a stable machine code;
 * {@link ERROR_CODES} maps a code to the WebSocket close code, HTTP status, JSON-RPC error
 * number and DeliveryAck code that represent it on each wire, where such a mapping exists.
 */

/** Codes that appear on the wire in `DeliveryAck.code` (NACKs). */
export type DeliveryAckCode =
  | 'NO_ROUTE'
  | 'CHILD_UNREACHABLE'
  | 'PEER_UNREACHABLE'
  | 'ROUTE_CONNECTOR_CLOSED'
  | 'MESSAGE_TOO_LARGE'
  | 'UNAUTHORIZED_ROUTE'
  | 'BACK_PRESSURE'
  // Security NACKs (protocol-security §3.9, §5.1): lower-case on the wire, as the reference writes them.
  | 'signature_required'
  | 'signature_verification_failed'
  | 'crypto_level_violation'
  // Overlay encryption (protocol-security §5.3): the reference's code for envelopes queued behind
  // a secure-channel handshake that failed.
  | 'channel_handshake_failed'
  // Ours: a sealed envelope whose recipient's encryption key never arrived (the reference keeps
  // such envelopes queued forever; peers treat an unknown NACK code like any other NACK).
  | 'encryption_key_unavailable';

export interface ErrorCodeMapping {
  /** WebSocket close code a link uses when it closes because of this error. */
  readonly wsClose?: number;
  /** HTTP status an HTTP endpoint answers with. */
  readonly httpStatus?: number;
  /** JSON-RPC `error.code` used when this error answers an RPC. */
  readonly jsonRpc?: number;
  /** `DeliveryAck.code` used when this error is reported as a NACK. */
  readonly deliveryAck?: DeliveryAckCode;
}

/**
 * The closed set of error codes. Codes are API: never rename one, only add.
 * Numbers follow RFC 6455 (close codes), RFC 9110 (status) and JSON-RPC 2.0 (-32768..-32000).
 */
export const ERROR_CODES = {
  INVALID_ENVELOPE: { wsClose: 1007, httpStatus: 400, jsonRpc: -32600 },
  UNKNOWN_FRAME: { wsClose: 1003, httpStatus: 400, jsonRpc: -32600 },
  MESSAGE_TOO_LARGE: { wsClose: 1009, httpStatus: 413, jsonRpc: -32600, deliveryAck: 'MESSAGE_TOO_LARGE' },
  INVALID_ADDRESS: { httpStatus: 400, jsonRpc: -32602 },
  PROTOCOL_ERROR: { wsClose: 1002, httpStatus: 400 },
  NO_ROUTE: { httpStatus: 404, jsonRpc: -32004, deliveryAck: 'NO_ROUTE' },
  CHILD_UNREACHABLE: { httpStatus: 502, jsonRpc: -32004, deliveryAck: 'CHILD_UNREACHABLE' },
  PEER_UNREACHABLE: { httpStatus: 502, jsonRpc: -32004, deliveryAck: 'PEER_UNREACHABLE' },
  ROUTE_CONNECTOR_CLOSED: { httpStatus: 502, jsonRpc: -32004, deliveryAck: 'ROUTE_CONNECTOR_CLOSED' },
  UNAUTHORIZED_ROUTE: { httpStatus: 403, jsonRpc: -32004, deliveryAck: 'UNAUTHORIZED_ROUTE' },
  AUTHENTICATION_FAILED: { wsClose: 1008, httpStatus: 401 },
  AUTHORIZATION_FAILED: { wsClose: 1008, httpStatus: 403 },
  ATTACH_REJECTED: { wsClose: 1008, httpStatus: 403 },
  ATTACH_TIMEOUT: { wsClose: 1000, httpStatus: 408 },
  NOT_READY: { wsClose: 1011, httpStatus: 503 },
  BACK_PRESSURE: { wsClose: 1013, httpStatus: 429, jsonRpc: -32005, deliveryAck: 'BACK_PRESSURE' },
  /** A link's queue stayed full, or its socket writes stalled, past the slow-consumer deadline. */
  SLOW_CONSUMER: { wsClose: 1008, httpStatus: 429 },
  /** An AddressBind of an exact address another live link owns (`AddressBindAck.code`), or a physical address under another node. */
  ADDRESS_IN_USE: { httpStatus: 409 },
  /** A NodeAttach whose system id belongs to a live link authenticated as someone else. */
  SYSTEM_ID_IN_USE: { wsClose: 1008, httpStatus: 409 },
  TIMEOUT: { httpStatus: 504, jsonRpc: -32001 },
  ABORTED: { jsonRpc: -32002 },
  CONNECTOR_CLOSED: { wsClose: 1006, httpStatus: 503 },
  INTERNAL_ERROR: { wsClose: 1011, httpStatus: 500, jsonRpc: -32603 },
  RPC_PARSE_ERROR: { httpStatus: 400, jsonRpc: -32700 },
  RPC_INVALID_REQUEST: { httpStatus: 400, jsonRpc: -32600 },
  RPC_METHOD_NOT_FOUND: { httpStatus: 404, jsonRpc: -32601 },
  RPC_INVALID_PARAMS: { httpStatus: 400, jsonRpc: -32602 },
  RPC_REMOTE_ERROR: { httpStatus: 502 },
  // Envelope security (protocol-security §3, §4, §5). An envelope refused for one of these is
  // dropped or NACKed as the security policy says; the link stays up.
  SIGNATURE_REQUIRED: { httpStatus: 401, deliveryAck: 'signature_required' },
  SIGNATURE_INVALID: { httpStatus: 401, deliveryAck: 'signature_verification_failed' },
  UNKNOWN_KEY: { httpStatus: 401 },
  INVALID_KEY: { httpStatus: 400 },
  CRYPTO_LEVEL_VIOLATION: { httpStatus: 403, deliveryAck: 'crypto_level_violation' },
  DECRYPTION_FAILED: { httpStatus: 400 },
  // Overlay encryption (§5). A sender that cannot encrypt never sends plaintext instead.
  ENCRYPTION_FAILED: { httpStatus: 500 },
  ENCRYPTION_KEY_UNAVAILABLE: { httpStatus: 503, deliveryAck: 'encryption_key_unavailable' },
  CHANNEL_HANDSHAKE_FAILED: { httpStatus: 502, deliveryAck: 'channel_handshake_failed' },
  // A channel message or envelope id seen before (§8 W6): drop it, never deliver it twice.
  REPLAY_DETECTED: { httpStatus: 409 },
  DUPLICATE_REGISTRATION: {},
  NOT_REGISTERED: {},
  INVALID_CONFIG: {},
  /** An HTTP endpoint refused a malformed request (e.g. OAuth2 `invalid_request`, `invalid_grant`). */
  INVALID_REQUEST: { httpStatus: 400 },
  /** An HTTP endpoint that does not exist or is switched off (e.g. PKCE when disabled). */
  NOT_FOUND: { httpStatus: 404 },
  /** A token endpoint could not be reached or answered with a server error (after retries). */
  TOKEN_ENDPOINT_ERROR: { httpStatus: 502 },
  // Admission (admission-and-http §1–§3, §8.5).
  /** A NodeHello the welcome service cannot process: wrong frame, invalid logicals (the reference answers 500 for those, S7). */
  INVALID_HELLO: { httpStatus: 422 },
  /** The welcome service refused to admit the node (placement refused, no transport in common). */
  ADMISSION_REJECTED: { wsClose: 1008, httpStatus: 403 },
  /** Admission could not complete: the welcome service was unreachable or its answer unusable. */
  ADMISSION_FAILED: { httpStatus: 502 },
} as const satisfies Record<string, ErrorCodeMapping>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FameErrorOptions {
  readonly cause?: unknown;
}

/** Base class of every error thrown by @naylence packages. Check `code`, not the class name. */
export class FameError extends Error {
  override name = 'FameError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: FameErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** The wire representations of this error's code (see {@link ERROR_CODES}). */
  get mapping(): ErrorCodeMapping {
    return ERROR_CODES[this.code];
  }
}

export function isFameError(value: unknown, code?: ErrorCode): value is FameError {
  return value instanceof FameError && (code === undefined || value.code === code);
}

/** An envelope that is not valid JSON, not an object, or has a field of the wrong shape. */
export class InvalidEnvelopeError extends FameError {
  override name = 'InvalidEnvelopeError';
  /** JSON pointer of the offending field, e.g. `/frame/address`; `''` for the whole input. */
  readonly field: string;
  constructor(field: string, message: string, options?: FameErrorOptions) {
    super('INVALID_ENVELOPE', message, options);
    this.field = field;
  }
}

/** `frame.type` names no frame of the protocol. */
export class UnknownFrameError extends FameError {
  override name = 'UnknownFrameError';
  readonly frameType: string;
  constructor(frameType: string) {
    super('UNKNOWN_FRAME', `unknown frame type "${clipText(frameType)}" at /frame/type`);
    this.frameType = frameType;
  }
}

export class MessageTooLargeError extends FameError {
  override name = 'MessageTooLargeError';
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super('MESSAGE_TOO_LARGE', `envelope of ${size} bytes exceeds the ${limit}-byte limit`);
    this.size = size;
    this.limit = limit;
  }
}

export class InvalidAddressError extends FameError {
  override name = 'InvalidAddressError';
  readonly address: string;
  constructor(address: string, detail: string) {
    super('INVALID_ADDRESS', `invalid FAME address "${clipText(address)}": ${detail}`);
    this.address = address;
  }
}

/** A send could not be queued because the link's bounded queue is full. Retry later. */
export class BackPressureError extends FameError {
  override name = 'BackPressureError';
  constructor(message: string) {
    super('BACK_PRESSURE', message);
  }
}

export class FameTimeoutError extends FameError {
  override name = 'FameTimeoutError';
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super('TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

export class AbortedError extends FameError {
  override name = 'AbortedError';
  constructor(what: string, options?: FameErrorOptions) {
    super('ABORTED', `${what} was aborted`, options);
  }
}

export class ConnectorClosedError extends FameError {
  override name = 'ConnectorClosedError';
  readonly closeCode: number | undefined;
  constructor(message: string, closeCode?: number, options?: FameErrorOptions) {
    super('CONNECTOR_CLOSED', message, options);
    this.closeCode = closeCode;
  }
}

/** The parent refused or never answered a NodeAttach. `reason` is the parent's text, if any. */
export class AttachError extends FameError {
  override name = 'AttachError';
  readonly reason: string | undefined;
  constructor(code: 'ATTACH_REJECTED' | 'ATTACH_TIMEOUT' | 'AUTHENTICATION_FAILED' | 'PROTOCOL_ERROR', message: string, reason?: string) {
    super(code, message);
    this.reason = reason;
  }
}

/** A DeliveryAck with `ok:false` (a NACK) answered one of our envelopes. */
export class DeliveryNackError extends FameError {
  override name = 'DeliveryNackError';
  /** The `code` string exactly as it arrived in the NACK (may be one we do not know). */
  readonly ackCode: string;
  readonly reason: string | undefined;
  constructor(ackCode: string, reason?: string) {
    super(errorCodeForAck(ackCode), `delivery failed: ${ackCode}${reason ? ` (${reason})` : ''}`);
    this.ackCode = ackCode;
    this.reason = reason;
  }
}

/** A JSON-RPC error response. `rpcCode`, `rpcMessage` and `data` are exactly what the callee sent. */
export class RpcError extends FameError {
  override name = 'RpcError';
  readonly rpcCode: number;
  readonly rpcMessage: string;
  readonly data: unknown;
  constructor(rpcCode: number, rpcMessage: string, data?: unknown) {
    super(errorCodeForJsonRpc(rpcCode), `RPC error ${rpcCode}: ${rpcMessage}`);
    this.rpcCode = rpcCode;
    this.rpcMessage = rpcMessage;
    this.data = data;
  }
}

export class DuplicateRegistrationError extends FameError {
  override name = 'DuplicateRegistrationError';
  constructor(kind: string, name: string) {
    super('DUPLICATE_REGISTRATION', `${kind} ${JSON.stringify(name)} is already registered`);
  }
}

export class NotRegisteredError extends FameError {
  override name = 'NotRegisteredError';
  constructor(kind: string, name: string, known: readonly string[]) {
    super('NOT_REGISTERED', `no ${kind} named ${JSON.stringify(name)} (known: ${known.join(', ') || 'none'})`);
  }
}

export interface ConfigErrorOptions extends FameErrorOptions {
  /** The option or environment variable at fault. */
  readonly setting?: string;
}

export class ConfigError extends FameError {
  override name = 'ConfigError';
  /** The option or environment variable at fault, when one is (e.g. `FAME_SECURITY_PROFILE`). */
  readonly setting: string | undefined;
  constructor(message: string, options?: ConfigErrorOptions) {
    super('INVALID_CONFIG', message, options);
    this.setting = options?.setting;
  }
}

const ACK_TO_CODE = new Map<string, ErrorCode>(
  (Object.entries(ERROR_CODES) as [ErrorCode, ErrorCodeMapping][])
    .filter(([, m]) => m.deliveryAck !== undefined)
    .map(([code, m]) => [m.deliveryAck as string, code]),
);

/** The error code for a NACK's `DeliveryAck.code`; unknown codes map to `NO_ROUTE`. */
export function errorCodeForAck(ackCode: string): ErrorCode {
  return ACK_TO_CODE.get(ackCode) ?? 'NO_ROUTE';
}

const JSONRPC_TO_CODE: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [-32700, 'RPC_PARSE_ERROR'],
  [-32600, 'RPC_INVALID_REQUEST'],
  [-32601, 'RPC_METHOD_NOT_FOUND'],
  [-32602, 'RPC_INVALID_PARAMS'],
  [-32005, 'BACK_PRESSURE'],
  [-32001, 'TIMEOUT'],
]);

/** The error code for a JSON-RPC `error.code` received from a callee. */
export function errorCodeForJsonRpc(rpcCode: number): ErrorCode {
  return JSONRPC_TO_CODE.get(rpcCode) ?? 'RPC_REMOTE_ERROR';
}
