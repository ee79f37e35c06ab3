import { Type, type Static } from '@sinclair/typebox';

export const SignatureHeaderSchema = Type.Object(
  {
    alg: Type.Optional(Type.String({ description: 'Written as "EdDSA"; verifiers must not require it' })),
    kid: Type.Optional(Type.String({ description: 'Signing key id (required by verifiers)' })),
    val: Type.String({ description: 'base64url Ed25519 signature, no padding' }),
  },
  { title: 'SignatureHeader' },
);

export const EncryptionHeaderSchema = Type.Object(
  {
    alg: Type.Optional(Type.String({ description: 'Algorithm id; absent means "ECDH-ES+A256GCM"' })),
    kid: Type.Optional(Type.String({ description: 'Key id or secure channel id' })),
    val: Type.String(),
  },
  { title: 'EncryptionHeader' },
);

/** The `sec` envelope header (protocol-security §3.1). */
export const SecurityHeaderSchema = Type.Object(
  {
    sig: Type.Optional(SignatureHeaderSchema),
    enc: Type.Optional(EncryptionHeaderSchema),
  },
  { title: 'SecurityHeader' },
);

export type SignatureHeader = Static<typeof SignatureHeaderSchema>;
export type EncryptionHeader = Static<typeof EncryptionHeaderSchema>;
export type SecurityHeader = Static<typeof SecurityHeaderSchema>;
