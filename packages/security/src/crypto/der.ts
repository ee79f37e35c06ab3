/**
 * PKCS#8 and SPKI containers for the two curves this package uses. Both are a fixed DER prefix
 * followed by the 32 raw key bytes (RFC 8410), so they are built and read by prefix: this is
 * encoding, not crypto. Used where no platform parser exists (browsers) and to hand raw keys to
 * `node:crypto` without a JWK round trip.
 */
import { InvalidKeyError } from '../errors.js';
import { base64Decode, base64Encode, hexDecode } from './encoding.js';

export type Curve = 'Ed25519' | 'X25519';

// SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32) } }
const PKCS8_PREFIX: Record<Curve, Uint8Array> = {
  Ed25519: hexDecode('302e020100300506032b657004220420')!,
  X25519: hexDecode('302e020100300506032b656e04220420')!,
};
// SEQUENCE { SEQUENCE { OID }, BIT STRING (0 unused bits, 32 bytes) }
const SPKI_PREFIX: Record<Curve, Uint8Array> = {
  Ed25519: hexDecode('302a300506032b6570032100')!,
  X25519: hexDecode('302a300506032b656e032100')!,
};

function wrap(prefix: Uint8Array, key: Uint8Array, curve: Curve): Uint8Array {
  if (key.length !== 32) throw new InvalidKeyError(`${curve} key must be 32 bytes, got ${key.length}`);
  const der = new Uint8Array(prefix.length + 32);
  der.set(prefix);
  der.set(key, prefix.length);
  return der;
}

function unwrap(prefix: Uint8Array, der: Uint8Array, curve: Curve, what: string): Uint8Array {
  if (der.length !== prefix.length + 32 || prefix.some((b, i) => der[i] !== b)) {
    throw new InvalidKeyError(`not an ${curve} ${what} (expected the RFC 8410 ${curve} encoding)`);
  }
  return der.slice(prefix.length);
}

export function pkcs8Der(curve: Curve, privateKey: Uint8Array): Uint8Array {
  return wrap(PKCS8_PREFIX[curve], privateKey, curve);
}

export function spkiDer(curve: Curve, publicKey: Uint8Array): Uint8Array {
  return wrap(SPKI_PREFIX[curve], publicKey, curve);
}

export function rawFromPkcs8(curve: Curve, der: Uint8Array): Uint8Array {
  return unwrap(PKCS8_PREFIX[curve], der, curve, 'PKCS#8 private key');
}

export function rawFromSpki(curve: Curve, der: Uint8Array): Uint8Array {
  return unwrap(SPKI_PREFIX[curve], der, curve, 'SPKI public key');
}

export type PemLabel = 'PRIVATE KEY' | 'PUBLIC KEY';

export function toPem(label: PemLabel, der: Uint8Array): string {
  const body = base64Encode(der).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** The DER bytes of the first `label` block of a PEM text. @throws InvalidKeyError */
export function fromPem(label: PemLabel, pem: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*)-----END ${label}-----`).exec(pem);
  const der = match ? base64Decode(match[1]!.replace(/\s+/g, '')) : undefined;
  if (!der) throw new InvalidKeyError(`not a PEM ${label.toLowerCase()}`);
  return der;
}
