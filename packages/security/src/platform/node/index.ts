/**
 * The Node crypto provider: every primitive is one `node:crypto` call (OpenSSL), which signs
 * Ed25519 about 18 times faster than pure JavaScript. Selected on Node by the package's
 * default export condition; `src/platform/browser` is the browser twin.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  timingSafeEqual as nodeTimingSafeEqual,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { DecryptionError, InvalidKeyError } from '../../errors.js';
import type { Curve } from '../../crypto/der.js';
import type { Aead, CryptoProvider, Ed25519Operations, RawKeyPair, X25519Operations } from '../../crypto/provider.js';
import {
  cachedPrivateKeyObject,
  cachedPublicKeyObject,
  generateX25519KeyPair,
  privateKeyObject,
  publicKeyObject,
  rawKey,
} from './key-objects.js';

function importPem(curve: Curve, pem: string, kind: 'private' | 'public'): Uint8Array {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new InvalidKeyError(`not a PEM ${curve} ${kind} key`, undefined, { cause: error });
  }
  if (key.asymmetricKeyType !== curve.toLowerCase() || key.type !== kind) {
    throw new InvalidKeyError(`PEM holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} ${key.type} key, not an ${curve} ${kind} key`);
  }
  return rawKey(key, kind === 'private' ? 'd' : 'x');
}

function curveOperations(curve: Curve) {
  return {
    generateKeyPair(): RawKeyPair {
      const { privateKey, publicKey } = generateKeyPairSync(curve.toLowerCase() as 'ed25519');
      return { privateKey: rawKey(privateKey, 'd'), publicKey: rawKey(publicKey, 'x') };
    },
    publicKeyOf(privateKey: Uint8Array): Uint8Array {
      return rawKey(createPublicKey(privateKeyObject(curve, privateKey)), 'x');
    },
    importPrivatePem: (pem: string) => importPem(curve, pem, 'private'),
    exportPrivatePem: (privateKey: Uint8Array) => privateKeyObject(curve, privateKey).export({ format: 'pem', type: 'pkcs8' }) as string,
    importPublicPem: (pem: string) => importPem(curve, pem, 'public'),
    exportPublicPem: (publicKey: Uint8Array) => publicKeyObject(curve, publicKey).export({ format: 'pem', type: 'spki' }) as string,
  };
}

const ed25519: Ed25519Operations = {
  ...curveOperations('Ed25519'),
  signer(privateKey) {
    const key = privateKeyObject('Ed25519', privateKey);
    return (message) => new Uint8Array(nodeSign(null, message, key));
  },
  verifier(publicKey) {
    const key = publicKeyObject('Ed25519', publicKey);
    return (message, signature) => {
      if (signature.length !== 64) return false;
      try {
        return nodeVerify(null, message, key, signature);
      } catch {
        return false;
      }
    };
  },
};

const x25519: X25519Operations = {
  ...curveOperations('X25519'),
  generateKeyPair: generateX25519KeyPair,
  sharedSecret(privateKey, publicKey) {
    try {
      return new Uint8Array(
        diffieHellman({ privateKey: cachedPrivateKeyObject('X25519', privateKey), publicKey: cachedPublicKeyObject('X25519', publicKey) }),
      );
    } catch (error) {
      if (error instanceof InvalidKeyError) throw error;
      throw new InvalidKeyError('X25519 key agreement failed (low-order public key?)', undefined, { cause: error });
    }
  },
};

function aead(algorithm: 'chacha20-poly1305' | 'aes-256-gcm'): Aead {
  const check = (key: Uint8Array, nonce: Uint8Array) => {
    if (key.length !== 32) throw new InvalidKeyError(`${algorithm} key must be 32 bytes, got ${key.length}`);
    if (nonce.length !== 12) throw new InvalidKeyError(`${algorithm} nonce must be 12 bytes, got ${nonce.length}`);
  };
  return {
    keyLength: 32,
    nonceLength: 12,
    tagLength: 16,
    seal(key, nonce, plaintext, aad) {
      check(key, nonce);
      // The two cipher names give two overloads; the options are the same for both.
      const cipher = createCipheriv(algorithm as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
      if (aad) cipher.setAAD(aad, { plaintextLength: plaintext.length });
      const head = cipher.update(plaintext);
      const tail = cipher.final();
      const out = new Uint8Array(head.length + tail.length + 16);
      out.set(head);
      out.set(tail, head.length);
      out.set(cipher.getAuthTag(), head.length + tail.length);
      return out;
    },
    open(key, nonce, sealed, aad) {
      check(key, nonce);
      if (sealed.length < 16) throw new DecryptionError('ciphertext shorter than the authentication tag', 'malformed');
      const body = sealed.subarray(0, sealed.length - 16);
      const decipher = createDecipheriv(algorithm as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      if (aad) decipher.setAAD(aad, { plaintextLength: body.length });
      try {
        const head = decipher.update(body);
        const tail = decipher.final();
        // A view of Node's output, not a copy of it.
        const out = tail.length === 0 ? head : Buffer.concat([head, tail]);
        return new Uint8Array(out.buffer, out.byteOffset, out.length);
      } catch (error) {
        throw new DecryptionError(undefined, 'authentication', { cause: error });
      }
    },
  };
}

/** Small draws (nonces) come from a pool refilled from the CSPRNG: one call costs ~4 µs, whatever its size. */
const POOL_SIZE = 4096;
const SMALL_DRAW = 64;
let pool = new Uint8Array(0);
let poolOffset = 0;

function randomBytes(length: number): Uint8Array {
  if (length > SMALL_DRAW) return new Uint8Array(nodeRandomBytes(length));
  if (poolOffset + length > pool.length) {
    pool = new Uint8Array(nodeRandomBytes(POOL_SIZE));
    poolOffset = 0;
  }
  // A copy, and each pool byte handed out once.
  const out = pool.slice(poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

/** The `node:crypto` provider. */
export const nodeCryptoProvider: CryptoProvider = Object.freeze({
  name: 'node:crypto',
  randomBytes,
  sha256: (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest()),
  hkdfSha256: (ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number) =>
    new Uint8Array(hkdfSync('sha256', ikm, salt ?? new Uint8Array(0), info, length)),
  timingSafeEqual: (a: Uint8Array, b: Uint8Array) => a.length === b.length && nodeTimingSafeEqual(a, b),
  ed25519,
  x25519,
  chacha20poly1305: aead('chacha20-poly1305'),
  aes256gcm: aead('aes-256-gcm'),
});

/** The provider of this platform: `node:crypto`. */
export function defaultCryptoProvider(): CryptoProvider {
  return nodeCryptoProvider;
}

/**
 * The provider this platform signs fastest with: `node:crypto` (synchronous, faster than
 * WebCrypto, so no `ed25519Async`). The browser twin adds WebCrypto Ed25519 to `@noble/*`.
 */
export function loadDefaultCryptoProvider(): Promise<CryptoProvider> {
  return Promise.resolve(nodeCryptoProvider);
}
