/**
 * `@naylence/core`: the FAME wire model and the contracts every other `@naylence` package
 * implements. Depends on nothing but TypeBox and runs in Node and browsers.
 *
 * - Wire model: TypeBox schemas and types for the envelope, the 22 frames, JSON-RPC payloads.
 * - Codec: {@link decodeEnvelope} / {@link encodeEnvelope}, validating with compiled checks.
 * - Addresses, ids, `secureDigest`, envelope builders.
 * - Errors: {@link FameError} with stable codes and one table of their wire representations.
 * - Contracts: {@link Connector}, {@link Dialer}, {@link TransportListener},
 *   {@link NodeSecurity} (the security seam), {@link Authorizer}, {@link TokenProvider},
 *   {@link Logger}, {@link Registry}.
 * - Profiles: {@link resolveProfiles}, the fail-closed check of `FAME_SECURITY_PROFILE` & co.
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

// ---- Errors: one hierarchy, one table of wire representations ------------------------------
export {
  ERROR_CODES,
  FameError,
  isFameError,
  errorCodeForAck,
  errorCodeForJsonRpc,
  InvalidEnvelopeError,
  UnknownFrameError,
  MessageTooLargeError,
  InvalidAddressError,
  BackPressureError,
  FameTimeoutError,
  AbortedError,
  ConnectorClosedError,
  AttachError,
  DeliveryNackError,
  RpcError,
  DuplicateRegistrationError,
  NotRegisteredError,
  ConfigError,
  type ConfigErrorOptions,
  type ErrorCode,
  type ErrorCodeMapping,
  type FameErrorOptions,
  type DeliveryAckCode,
} from './errors.js';

// ---- Wire model: primitives, envelope, frames, security header, JSON-RPC -------------------
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
export { EnvelopeSchema, ENVELOPE_KEY_ORDER, type FameEnvelope } from './wire/envelope.js';
// Frame schemas by type: FRAME_SCHEMAS (one per frame, in protocol order).
export {
  FRAME_SCHEMAS,
  FRAME_TYPES,
  FrameSchema,
  StickinessSchema,
  type FameFrame,
  type FrameType,
  type FrameOf,
  type Stickiness,
  type DataFrame,
  type DeliveryAckFrame,
  type NodeHelloFrame,
  type NodeWelcomeFrame,
  type NodeAttachFrame,
  type NodeAttachAckFrame,
  type AddressBindFrame,
  type AddressBindAckFrame,
  type AddressUnbindFrame,
  type AddressUnbindAckFrame,
  type CapabilityAdvertiseFrame,
  type CapabilityAdvertiseAckFrame,
  type CapabilityWithdrawFrame,
  type CapabilityWithdrawAckFrame,
  type NodeHeartbeatFrame,
  type NodeHeartbeatAckFrame,
  type CreditUpdateFrame,
  type KeyAnnounceFrame,
  type KeyRequestFrame,
  type SecureOpenFrame,
  type SecureAcceptFrame,
  type SecureCloseFrame,
} from './wire/frames.js';
export { FRAME_ROLES, frameRole, isRoutable, destinationOf, isResponse, type FrameRole } from './wire/frame-roles.js';
export {
  SignatureHeaderSchema,
  EncryptionHeaderSchema,
  SecurityHeaderSchema,
  type SignatureHeader,
  type EncryptionHeader,
  type SecurityHeader,
} from './wire/security-header.js';
export {
  JsonRpcRequestSchema,
  JsonRpcErrorObjectSchema,
  JsonRpcSuccessSchema,
  JsonRpcErrorResponseSchema,
  JsonRpcResponseSchema,
  JsonRpcErrorCode,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcErrorObject,
  type JsonRpcSuccess,
  type JsonRpcErrorResponse,
  type JsonRpcResponse,
} from './wire/jsonrpc.js';
export { envelopeJsonSchema } from './json-schema.js';

// ---- Codec ----------------------------------------------------------------------------------
export { decodeEnvelope, type DecodeOptions } from './codec/decode.js';
export { encodeEnvelope, serializeEnvelope, type EncodeOptions } from './codec/encode.js';
export { validateEnvelope } from './codec/validate.js';
export { utf8ByteLength, utf8Encode, utf8Decode } from './codec/utf8.js';

// ---- Addresses, ids, envelope and JSON-RPC builders ----------------------------------------
export {
  SYSTEM_INBOX,
  RPC_INBOX_PREFIX,
  DEFAULT_ROOT_LOGICAL,
  isValidAddress,
  parseAddress,
  tryParseAddress,
  splitAddress,
  locationHost,
  formatAddress,
  physicalAddress,
  isReservedParticipant,
  isPoolPattern,
  hostMatchesPool,
  poolSpecificity,
  matchPool,
  systemIdProblem,
  isValidSystemId,
  isPathWithin,
  MAX_SYSTEM_ID_LENGTH,
  type ParsedAddress,
  type AddressParts,
} from './address.js';
export {
  ID_LENGTH,
  randomId,
  base62FromBytes,
  secureDigest,
  secureDigestSync,
  fingerprintCandidate,
  fingerprintId,
  referenceSystemIdMaterial,
  type ReferenceSystemIdInputs,
} from './ids.js';
export {
  currentTimestamp,
  createEnvelope,
  createReply,
  createDeliveryAck,
  createNack,
  isNackEligible,
  createAttachRefusal,
  type EnvelopeInit,
} from './envelope-builders.js';
export {
  createJsonRpcRequest,
  createJsonRpcResult,
  createJsonRpcError,
  isJsonRpcRequest,
  isJsonRpcResponse,
  isJsonRpcError,
  isStreamEnd,
  rpcErrorFrom,
} from './jsonrpc-messages.js';

// ---- Contracts: transports -------------------------------------------------------------------
export type {
  WireMessage,
  ConnectorState,
  CloseInfo,
  ConnectorHandlers,
  ConnectorInfo,
  Connector,
  DialRequest,
  Dialer,
  TransportAttachFields,
} from './contracts/connector.js';
export type { IncomingConnection, ListenerHost, ListenerAddress, TransportListener } from './contracts/listener.js';

// ---- Contracts: authentication, attach authorization, envelope security --------------------
export {
  authenticatedSubject,
  type AccessToken,
  type TokenProvider,
  type AuthorizationContext,
  type Authorizer,
  type AttachDecision,
  type AttachAckFields,
} from './contracts/auth.js';
export { dialToken } from './dial-token.js';
export {
  EnvelopeRejection,
  NO_SECURITY,
  type NodeSecurity,
  type SecurityStage,
  type StageResult,
  type EnvelopeContext,
  type SecurityLink,
  type SecurityHost,
  type NodeIdentity,
  type LinkRole,
  type EnvelopeOrigin,
} from './contracts/security.js';
export {
  resolveProfiles,
  canonicalAuthorizationProfile,
  BUILT_IN_PROFILES,
  PROFILE_ENV,
  type ProfileRequest,
  type EnforcedProfiles,
  type ResolvedProfiles,
  type Environment,
} from './profiles.js';

// ---- Contracts: logging, registries; small platform helpers ----------------------------------
export { NOOP_LOGGER, type Logger, type LogFn } from './contracts/logger.js';
export { Registry, type RegisterOptions } from './contracts/registry.js';
export { unrefTimer, scheduleMacrotask } from './timers.js';
export { LogLimiter } from './log-limiter.js';
export { clipText, MAX_PEER_TEXT } from './clip.js';
export {
  ConnectionLimits,
  AuthThrottle,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_AUTH_FAILURE_MAX_DELAY_MS,
  OVER_CAP_RESPONSE,
  type CountedSocket,
} from './edge-limits.js';
