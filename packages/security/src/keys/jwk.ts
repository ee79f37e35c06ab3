/** Ed25519 / X25519 keys as JWKs (protocol-security §2), the member sets both references publish. */
import type { CryptoProvider } from '../crypto/provider.js';
import { base64Decode, base64UrlEncode } from '../crypto/encoding.js';
import { InvalidKeyError } from '../errors.js';

/** A public JWK as published in `NodeAttach`, `NodeAttachAck`, `KeyAnnounce` and JWKS documents. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519' | 'X25519';
  readonly x: string;
  readonly kid: string;
  readonly use: 'sig' | 'enc';
  readonly alg: 'EdDSA' | 'ECDH-ES';
  readonly [member: string]: unknown;
}

/** `{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"use":"sig","alg":"EdDSA"}` */
export function ed25519Jwk(publicKey: Uint8Array, kid: string): PublicJwk {
  if (publicKey.length !== 32) throw new InvalidKeyError('Ed25519 public key must be 32 bytes', kid);
  return { kty: 'OKP', crv: 'Ed25519', x: base64UrlEncode(publicKey), kid, use: 'sig', alg: 'EdDSA' };
}

/** `{"kty":"OKP","crv":"X25519","x":…,"kid":…,"use":"enc","alg":"ECDH-ES"}` */
export function x25519Jwk(publicKey: Uint8Array, kid: string): PublicJwk {
  if (publicKey.length !== 32) throw new InvalidKeyError('X25519 public key must be 32 bytes', kid);
  return { kty: 'OKP', crv: 'X25519', x: base64UrlEncode(publicKey), kid, use: 'enc', alg: 'ECDH-ES' };
}

function member(jwk: Record<string, unknown>, name: 'x' | 'd', curve: string): Uint8Array {
  const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
  if (jwk.kty !== 'OKP' || jwk.crv !== curve) throw new InvalidKeyError(`not an OKP ${curve} JWK`, kid);
  const bytes = typeof jwk[name] === 'string' ? base64Decode(jwk[name]) : undefined;
  if (!bytes || bytes.length !== 32) throw new InvalidKeyError(`JWK member "${name}" is not 32 bytes of base64url`, kid);
  return bytes;
}

/** The raw public key of an OKP JWK of `curve`. @throws InvalidKeyError */
export function publicKeyFromJwk(jwk: Record<string, unknown>, curve: 'Ed25519' | 'X25519'): Uint8Array {
  return member(jwk, 'x', curve);
}

/**
 * The raw private key (`d`) of a private OKP JWK of `curve`, checked against its `x` when
 * present. @throws InvalidKeyError
 */
export function privateKeyFromJwk(provider: CryptoProvider, jwk: Record<string, unknown>, curve: 'Ed25519' | 'X25519'): Uint8Array {
  const d = member(jwk, 'd', curve);
  if (jwk.x !== undefined) {
    const derived = (curve === 'Ed25519' ? provider.ed25519 : provider.x25519).publicKeyOf(d);
    if (!provider.timingSafeEqual(derived, member(jwk, 'x', curve))) {
      throw new InvalidKeyError('JWK "x" is not the public key of "d"', typeof jwk.kid === 'string' ? jwk.kid : undefined);
    }
  }
  return d;
}

/** A private OKP JWK (`d` and `x`), for key files. Keep it secret. */
export function privateJwk(
  provider: CryptoProvider,
  privateKey: Uint8Array,
  kid: string,
  curve: 'Ed25519' | 'X25519',
): PublicJwk & { d: string } {
  const ops = curve === 'Ed25519' ? provider.ed25519 : provider.x25519;
  const pub = curve === 'Ed25519' ? ed25519Jwk(ops.publicKeyOf(privateKey), kid) : x25519Jwk(ops.publicKeyOf(privateKey), kid);
  return { ...pub, d: base64UrlEncode(privateKey) };
}
