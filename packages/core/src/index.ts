/**
 * `@naylence/core`: the FAME wire model and the contracts every other `@naylence` package
 * implements. Depends on nothing but TypeBox and runs in Node and browsers.
 *
 * - Wire model: TypeBox schemas and types for the envelope, the 22 frames, JSON-RPC payloads.
 * - Codec: {@link decodeEnvelope} / {@link encodeEnvelope}, validating with compiled checks.
 * - Addresses, ids, `secureDigest`, envelope builders.
 * - Errors: {@link FameError} with stable codes and one table of their wire representations.
 * - Contracts: {@link Connector}, {@link Dialer}, {@link TransportListener},
 *   {@link EnvelopeSecurity}, {@link Authorizer}, {@link TokenProvider}, {@link Logger},
 *   {@link Registry}.
 *
 * @example
 * ```ts
 * import { createEnvelope, decodeEnvelope, encodeEnvelope } from '@naylence/core';
 *
 * const request = createEnvelope({
 *   to: 'math@fame.fabric',
 *   frame: { type: 'Data', payload: { jsonrpc: '2.0', id: '1', method: 'add', params: { x: 3, y: 4 } } },
 * });
 * const bytes = encodeEnvelope(request); // UTF-8 JSON, keys in wire order
 * const decoded = decodeEnvelope(bytes); // validated; throws a FameError on bad input
 * console.log(decoded.frame.type); // "Data"
 * ```
 *
 * @packageDocumentation
 */

export * from './errors.js';

export {
  ADDRESS_PATTERN,
  TIMESTAMP_PATTERN,
  FlowFlags,
  ResponseType,
  PRIORITIES,
  ORIGIN_TYPES,
  ENVELOPE_VERSION,
  DEFAULT_MAX_ENVELOPE_BYTES,
  type Priority,
  type OriginType,
} from './wire/primitives.js';
export * from './wire/frames.js';
export { EnvelopeSchema, ENVELOPE_KEY_ORDER, type FameEnvelope } from './wire/envelope.js';
export * from './wire/security-header.js';
export * from './wire/jsonrpc.js';
export { envelopeJsonSchema } from './json-schema.js';

export { decodeEnvelope, type DecodeOptions } from './codec/decode.js';
export { encodeEnvelope, serializeEnvelope, type EncodeOptions } from './codec/encode.js';
export { validateEnvelope } from './codec/validate.js';
export { utf8ByteLength, utf8Encode, utf8Decode } from './codec/utf8.js';

export * from './address.js';
export * from './ids.js';
export * from './envelope-builders.js';
export * from './jsonrpc-messages.js';

export * from './contracts/connector.js';
export * from './contracts/listener.js';
export * from './contracts/auth.js';
export * from './contracts/security.js';
export * from './contracts/logger.js';
export * from './contracts/registry.js';
