/**
 * Raw 32-byte keys in and out of `node:crypto` KeyObjects, and the cache that keeps imports off
 * the per-message paths (by array identity): a node's own private keys, recipients' public keys,
 * and the private key of a pair {@link generateX25519KeyPair} made (used for one agreement).
 */
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { InvalidKeyError } from '../../errors.js';
import type { Curve } from '../../crypto/der.js';
import type { RawKeyPair } from '../../crypto/provider.js';

function checkRaw(curve: Curve, raw: Uint8Array, what: string): void {
  if (raw.length !== 32) throw new InvalidKeyError(`${curve} ${what} key must be 32 bytes, got ${raw.length}`);
}

function base64Url(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
}

// Raw keys enter node:crypto as JWKs: OpenSSL's DER decoders cost ~1.4 ms per private key,
// a JWK import ~0.1 ms. For a private JWK Node derives the public key from `d` and ignores
// `x` (checked in the tests), but requires the member, so it gets a placeholder.
export function privateKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  checkRaw(curve, raw, 'private');
  const d = base64Url(raw);
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: curve, d, x: d }, format: 'jwk' });
  } catch (error) {
    throw new InvalidKeyError(`invalid ${curve} private key`, undefined, { cause: error });
  }
}

export function publicKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  checkRaw(curve, raw, 'public');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: curve, x: base64Url(raw) }, format: 'jwk' });
  } catch (error) {
    throw new InvalidKeyError(`invalid ${curve} public key`, undefined, { cause: error });
  }
}

/**
 * The raw 32-byte key of an Ed25519 / X25519 KeyObject: the tail of its PKCS#8 (48 bytes) or
 * SPKI (44 bytes) DER (RFC 8410). Not a JWK export: on Node 20.20, generating X25519 keys and
 * exporting them as JWK in a loop deadlocks the process (seen here within seconds of sealing).
 */
export function rawKey(key: KeyObject, member: 'x' | 'd'): Uint8Array {
  const der = member === 'd' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
  if (der.length !== (member === 'd' ? 48 : 44)) throw new InvalidKeyError(`key has no 32-byte "${member}"`);
  return new Uint8Array(der.subarray(der.length - 32));
}

/**
 * KeyObjects of keys used again and again, by array identity: a node's own X25519 key opens
 * every sealed envelope, and a recipient's key (decoded once per key record) seals every
 * envelope to it. Each entry is checked against a copy of the bytes, so bytes changed in place
 * get a fresh object. A key that comes as fresh bytes each time (the ephemeral key of a sealed
 * envelope) is imported each time, and its entry goes with its array.
 */
const keyObjects = new WeakMap<Uint8Array, { readonly bytes: Uint8Array; readonly key: KeyObject }>();

function remember(raw: Uint8Array, key: KeyObject): void {
  keyObjects.set(raw, { bytes: Uint8Array.from(raw), key });
}

function cached(raw: Uint8Array, type: 'private' | 'public'): KeyObject | undefined {
  const entry = keyObjects.get(raw);
  if (entry === undefined || entry.key.type !== type || entry.bytes.length !== raw.length) return undefined;
  for (let i = 0; i < raw.length; i++) if (entry.bytes[i] !== raw[i]) return undefined;
  return entry.key;
}

export function cachedPrivateKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  let key = cached(raw, 'private');
  if (key?.asymmetricKeyType !== curve.toLowerCase()) remember(raw, (key = privateKeyObject(curve, raw)));
  return key;
}

/** A public KeyObject (importing costs ~15 µs, a third of an X25519 agreement). */
export function cachedPublicKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  let key = cached(raw, 'public');
  if (key?.asymmetricKeyType !== curve.toLowerCase()) remember(raw, (key = publicKeyObject(curve, raw)));
  return key;
}

/**
 * A fresh X25519 key pair, its private KeyObject remembered for the agreement that follows.
 * Not `generateKeyPairSync` + DER exports: exporting costs ~150 µs (OpenSSL's encoders). The
 * JWK import of 32 random bytes already derives the public key (one X25519 with the base
 * point), and the JWK export of the public half only reads it back: ~35 µs in all, half of a
 * second X25519 with the base point. Every sealed envelope makes a pair. (The Node 20.20
 * deadlock noted at `rawKey` comes from JWK exports of *private* X25519 keys: in a loop of
 * `generateKeyPairSync` + private JWK export it hangs within seconds; public-key JWK exports
 * ran ~170,000 times in 10 s, and this import-then-export ~200,000 times in 40 s, without one.)
 */
export function generateX25519KeyPair(): RawKeyPair {
  const privateKey = new Uint8Array(randomBytes(32));
  const key = privateKeyObject('X25519', privateKey);
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  const publicKey = typeof x === 'string' ? new Uint8Array(Buffer.from(x, 'base64url')) : undefined;
  if (publicKey?.length !== 32) throw new InvalidKeyError('X25519 key pair: no 32-byte public key');
  remember(privateKey, key);
  return { privateKey, publicKey };
}
