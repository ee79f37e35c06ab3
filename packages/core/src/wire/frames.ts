import { Type, type Static, type TObject, type TProperties, type TLiteral } from '@sinclair/typebox';
import { AddressString, ORIGIN_TYPES, StringList, Timestamp } from './primitives.js';

// Every frame is a JSON object with a `type` discriminator (protocol-core §3). Schemas allow
// extra keys: the reference adds snake_case duplicates to NodeAttachAck, and unknown keys
// must survive forwarding.
//
// `default` annotations are the values the reference's frame models fill in when a member is
// absent. They are not applied by the decoder (a forwarded frame keeps its bytes' meaning);
// the signature digest of a non-Data frame materializes them (protocol-security §3.5, §8 C4).

function frame<T extends string, P extends TProperties>(type: T, properties: P, description: string) {
  return Type.Object({ type: Type.Literal(type), ...properties }, { title: `${type}Frame`, description }) as TObject<
    { type: TLiteral<T> } & P
  >;
}

/** Fields shared by every acknowledgement frame ("ack-base"). */
const ackBase = {
  ok: Type.Optional(Type.Boolean({ default: true, description: 'false makes this a NACK; absent means true' })),
  code: Type.Optional(Type.String({ description: 'Machine code of a failure, e.g. NO_ROUTE' })),
  reason: Type.Optional(Type.String({ description: 'Human-readable reason' })),
  refId: Type.Optional(Type.String({ description: 'id of the envelope being answered' })),
};

const jsonObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });
const jsonObjects = (description: string) => Type.Array(Type.Record(Type.String(), Type.Unknown()), { description });

export const StickinessSchema = Type.Object(
  {
    mode: Type.Optional(Type.String({ description: '"aft" or "attr"' })),
    supportedModes: Type.Optional(StringList('Modes the sender supports')),
    enabled: Type.Optional(Type.Boolean()),
    ttlSec: Type.Optional(Type.Number()),
    version: Type.Optional(Type.Integer({ default: 1 })),
  },
  { title: 'Stickiness' },
);

export const DataFrameSchema = frame(
  'Data',
  {
    payload: Type.Unknown({ description: 'Application data; JSON-RPC 2.0 objects for RPC. Always present (null allowed).' }),
    codec: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('b64')], { description: 'b64: payload is base64 of raw bytes' })),
    fid: Type.Optional(Type.String()),
    pd: Type.Optional(Type.String({ description: 'Payload digest (signing)' })),
    cid: Type.Optional(Type.String({ description: 'Secure channel id' })),
    nonce: Type.Optional(Type.String({ description: 'base64 of 12 bytes (channel encryption)' })),
  },
  'Application data',
);

export const DeliveryAckFrameSchema = frame('DeliveryAck', ackBase, 'Delivery acknowledgement; ok:false is a NACK');

export const NodeHelloFrameSchema = frame(
  'NodeHello',
  {
    systemId: Type.String({ description: 'Requested system id; empty asks for one' }),
    instanceId: Type.String(),
    logicals: Type.Optional(StringList('Requested logicals')),
    capabilities: Type.Optional(StringList('Requested capabilities')),
    supportedTransports: Type.Optional(StringList('e.g. ["websocket"]')),
    regionHint: Type.Optional(Type.String()),
    securitySettings: Type.Optional(jsonObject('Passed through to the welcome service')),
  },
  'Child to welcome service: ask for admission',
);

export const NodeWelcomeFrameSchema = frame(
  'NodeWelcome',
  {
    systemId: Type.String(),
    instanceId: Type.String(),
    targetSystemId: Type.Optional(Type.String()),
    targetPhysicalPath: Type.Optional(Type.String()),
    assignedPath: Type.Optional(Type.String()),
    acceptedCapabilities: Type.Optional(StringList('Capabilities the child may advertise')),
    acceptedLogicals: Type.Optional(StringList('Logicals the child may bind')),
    rejectedLogicals: Type.Optional(StringList('Requested logicals that were refused')),
    connectionGrants: Type.Optional(jsonObjects('How to connect; one grant has purpose "node.attach"')),
    expiresAt: Type.Optional(Timestamp()),
    metadata: Type.Optional(jsonObject('Free-form')),
    reason: Type.Optional(Type.String()),
    securitySettings: Type.Optional(jsonObject('Python core only')),
  },
  'Welcome service to child: admission result',
);

export const NodeAttachFrameSchema = frame(
  'NodeAttach',
  {
    originType: Type.Optional(
      Type.Union(
        ORIGIN_TYPES.map((t) => Type.Literal(t)),
        { default: 'downstream', description: 'Always sent; a missing value is read as "downstream" (as Python does)' },
      ),
    ),
    systemId: Type.String({ description: 'Must equal the system id in the attach URL' }),
    instanceId: Type.String({ description: 'Random per connection' }),
    assignedPath: Type.Optional(Type.String()),
    capabilities: Type.Optional(StringList('From the welcome')),
    acceptedLogicals: Type.Optional(StringList('From the welcome')),
    keys: Type.Optional(jsonObjects('JWKs')),
    callbackGrants: Type.Optional(jsonObjects('Grants the parent may use to reach the child')),
    stickiness: Type.Optional(StickinessSchema),
  },
  'Child to parent, first envelope on a link',
);

export const NodeAttachAckFrameSchema = frame(
  'NodeAttachAck',
  {
    ...ackBase,
    targetSystemId: Type.Optional(Type.String({ description: "Parent's system id" })),
    assignedPath: Type.Optional(Type.String({ description: "Child's physical path" })),
    targetPhysicalPath: Type.Optional(Type.String({ description: "Parent's physical path" })),
    routingEpoch: Type.Optional(Type.String()),
    keys: Type.Optional(jsonObjects('JWKs')),
    expiresAt: Type.Optional(Timestamp()),
    stickiness: Type.Optional(StickinessSchema),
  },
  'Parent to child: attach result',
);

const address = { address: AddressString() };
const capabilityFields = { capabilities: StringList('Capability names'), address: AddressString() };

export const AddressBindFrameSchema = frame(
  'AddressBind',
  {
    ...address,
    physicalPath: Type.Optional(Type.String({ description: "Sender's physical path" })),
    encryptionKeyId: Type.Optional(Type.String()),
  },
  'Bind an address to the sending child',
);
export const AddressBindAckFrameSchema = frame('AddressBindAck', { ...ackBase, ...address }, 'Answer to AddressBind');
export const AddressUnbindFrameSchema = frame('AddressUnbind', address, 'Remove a binding');
export const AddressUnbindAckFrameSchema = frame('AddressUnbindAck', { ...ackBase, ...address }, 'Answer to AddressUnbind');
export const CapabilityAdvertiseFrameSchema = frame('CapabilityAdvertise', capabilityFields, 'Offer capabilities at an address');
export const CapabilityAdvertiseAckFrameSchema = frame(
  'CapabilityAdvertiseAck',
  { ...ackBase, ...capabilityFields },
  'Answer to CapabilityAdvertise',
);
export const CapabilityWithdrawFrameSchema = frame('CapabilityWithdraw', capabilityFields, 'Stop offering capabilities');
export const CapabilityWithdrawAckFrameSchema = frame(
  'CapabilityWithdrawAck',
  { ...ackBase, ...capabilityFields },
  'Answer to CapabilityWithdraw',
);

export const NodeHeartbeatFrameSchema = frame(
  'NodeHeartbeat',
  { address: Type.Optional(Type.String()), systemId: Type.Optional(Type.String()), payload: Type.Optional(Type.Unknown()) },
  'Child keep-alive, every 15 s',
);
export const NodeHeartbeatAckFrameSchema = frame(
  'NodeHeartbeatAck',
  { ...ackBase, address: Type.Optional(Type.String()), routingEpoch: Type.Optional(Type.String()), payload: Type.Optional(Type.Unknown()) },
  'Answer to NodeHeartbeat',
);

export const CreditUpdateFrameSchema = frame(
  'CreditUpdate',
  { flowId: Type.String(), credits: Type.Integer({ description: 'Credits granted for flowId' }) },
  'Flow-control credit refill; consumed by the link, never routed',
);

export const KeyAnnounceFrameSchema = frame(
  'KeyAnnounce',
  {
    address: Type.Optional(Type.String()),
    physicalPath: Type.String(),
    keys: jsonObjects('JWKs'),
    created: Type.Optional(Timestamp()),
    expires: Type.Optional(Timestamp()),
  },
  'Public keys of a node',
);
export const KeyRequestFrameSchema = frame(
  'KeyRequest',
  { kid: Type.Optional(Type.String()), address: Type.Optional(Type.String()), physicalPath: Type.Optional(Type.String()) },
  'Ask for keys; routed by frame.address',
);
export const SecureOpenFrameSchema = frame(
  'SecureOpen',
  {
    cid: Type.String({ description: 'Channel id' }),
    ephPub: Type.String({ description: 'base64 X25519 public key (32 bytes)' }),
    alg: Type.Optional(Type.String({ default: 'CHACHA20P1305', description: 'Channel cipher' })),
    opts: Type.Optional(Type.Integer({ default: 0, description: 'Option bits' })),
  },
  'Open a secure channel',
);
export const SecureAcceptFrameSchema = frame(
  'SecureAccept',
  {
    ...ackBase,
    cid: Type.String(),
    ephPub: Type.String(),
    alg: Type.Optional(Type.String({ default: 'CHACHA20P1305', description: 'Channel cipher' })),
  },
  'Answer to SecureOpen',
);
export const SecureCloseFrameSchema = frame(
  'SecureClose',
  { cid: Type.String(), reason: Type.Optional(Type.String()) },
  'Close a secure channel',
);

/** All 22 frame schemas, in the order of protocol-core §3.8. */
export const FRAME_SCHEMAS = [
  DataFrameSchema,
  DeliveryAckFrameSchema,
  NodeHelloFrameSchema,
  NodeWelcomeFrameSchema,
  NodeAttachFrameSchema,
  NodeAttachAckFrameSchema,
  AddressBindFrameSchema,
  AddressBindAckFrameSchema,
  AddressUnbindFrameSchema,
  AddressUnbindAckFrameSchema,
  CapabilityAdvertiseFrameSchema,
  CapabilityAdvertiseAckFrameSchema,
  CapabilityWithdrawFrameSchema,
  CapabilityWithdrawAckFrameSchema,
  NodeHeartbeatFrameSchema,
  NodeHeartbeatAckFrameSchema,
  CreditUpdateFrameSchema,
  KeyAnnounceFrameSchema,
  KeyRequestFrameSchema,
  SecureOpenFrameSchema,
  SecureAcceptFrameSchema,
  SecureCloseFrameSchema,
] as const;

export const FrameSchema = Type.Union([...FRAME_SCHEMAS], { title: 'Frame' });

export type DataFrame = Static<typeof DataFrameSchema>;
export type DeliveryAckFrame = Static<typeof DeliveryAckFrameSchema>;
export type NodeHelloFrame = Static<typeof NodeHelloFrameSchema>;
export type NodeWelcomeFrame = Static<typeof NodeWelcomeFrameSchema>;
export type NodeAttachFrame = Static<typeof NodeAttachFrameSchema>;
export type NodeAttachAckFrame = Static<typeof NodeAttachAckFrameSchema>;
export type AddressBindFrame = Static<typeof AddressBindFrameSchema>;
export type AddressBindAckFrame = Static<typeof AddressBindAckFrameSchema>;
export type AddressUnbindFrame = Static<typeof AddressUnbindFrameSchema>;
export type AddressUnbindAckFrame = Static<typeof AddressUnbindAckFrameSchema>;
export type CapabilityAdvertiseFrame = Static<typeof CapabilityAdvertiseFrameSchema>;
export type CapabilityAdvertiseAckFrame = Static<typeof CapabilityAdvertiseAckFrameSchema>;
export type CapabilityWithdrawFrame = Static<typeof CapabilityWithdrawFrameSchema>;
export type CapabilityWithdrawAckFrame = Static<typeof CapabilityWithdrawAckFrameSchema>;
export type NodeHeartbeatFrame = Static<typeof NodeHeartbeatFrameSchema>;
export type NodeHeartbeatAckFrame = Static<typeof NodeHeartbeatAckFrameSchema>;
export type CreditUpdateFrame = Static<typeof CreditUpdateFrameSchema>;
export type KeyAnnounceFrame = Static<typeof KeyAnnounceFrameSchema>;
export type KeyRequestFrame = Static<typeof KeyRequestFrameSchema>;
export type SecureOpenFrame = Static<typeof SecureOpenFrameSchema>;
export type SecureAcceptFrame = Static<typeof SecureAcceptFrameSchema>;
export type SecureCloseFrame = Static<typeof SecureCloseFrameSchema>;
export type Stickiness = Static<typeof StickinessSchema>;

export type FameFrame = Static<typeof FrameSchema>;
export type FrameType = FameFrame['type'];
/** The frame type whose `type` is `T`, e.g. `FrameOf<'Data'>`. */
export type FrameOf<T extends FrameType> = Extract<FameFrame, { type: T }>;

export const FRAME_TYPES: readonly FrameType[] = FRAME_SCHEMAS.map((s) => s.properties.type.const);
