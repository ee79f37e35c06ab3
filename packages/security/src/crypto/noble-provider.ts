/**
 * The pure-JavaScript crypto provider (`@noble/curves`, `@noble/ciphers`, `@noble/hashes`,
 * randomness from WebCrypto `getRandomValues`). The browser platform builds it from static
 * imports; on Node {@link loadNobleCryptoProvider} loads the libraries on first use, so a
 * Node process that never asks for it does not pay their ~50 ms import.
 *
 * Ed25519 uses `@noble/curves` (the spec's W7: `@noble/ed25519` needs a SHA-512 hook set
 * before `verify`), verifying strictly per RFC 8032 (`zip215: false`), as OpenSSL does.
 */
import { DecryptionError, InvalidKeyError } from '../errors.js';
import { fromPem, pkcs8Der, rawFromPkcs8, rawFromSpki, spkiDer, toPem, type Curve } from './der.js';
import type { Aead, CryptoProvider } from './provider.js';

interface NobleCipher {
  encrypt(plaintext: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array): Uint8Array;
}

/** The library functions the provider is built from (structural, so both import styles fit). */
export interface NobleLibraries {
  readonly ed25519: {
    getPublicKey(secretKey: Uint8Array): Uint8Array;
    sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, options?: { zip215?: boolean }): boolean;
    utils: { randomSecretKey(): Uint8Array };
  };
  readonly x25519: {
    getPublicKey(secretKey: Uint8Array): Uint8Array;
    getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
    utils: { randomSecretKey(): Uint8Array };
  };
  readonly sha256: (data: Uint8Array) => Uint8Array;
  readonly hkdf: (hash: never, ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array | undefined, length: number) => Uint8Array;
  readonly chacha20poly1305: (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) => NobleCipher;
  readonly gcm: (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array) => NobleCipher;
  readonly randomBytes: (length: number) => Uint8Array;
  readonly equalBytes: (a: Uint8Array, b: Uint8Array) => boolean;
}

function checkLength(bytes: Uint8Array, what: string): void {
  if (bytes.length !== 32) throw new InvalidKeyError(`${what} must be 32 bytes, got ${bytes.length}`);
}

function guard<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof InvalidKeyError) throw error;
    throw new InvalidKeyError(what, undefined, { cause: error });
  }
}

function pemOperations(curve: Curve, publicKeyOf: (privateKey: Uint8Array) => Uint8Array) {
  return {
    importPrivatePem: (pem: string) => {
      const raw = rawFromPkcs8(curve, fromPem('PRIVATE KEY', pem));
      publicKeyOf(raw); // rejects scalars the library refuses
      return raw;
    },
    exportPrivatePem: (privateKey: Uint8Array) => toPem('PRIVATE KEY', pkcs8Der(curve, privateKey)),
    importPublicPem: (pem: string) => rawFromSpki(curve, fromPem('PUBLIC KEY', pem)),
    exportPublicPem: (publicKey: Uint8Array) => toPem('PUBLIC KEY', spkiDer(curve, publicKey)),
  };
}

function aead(name: string, make: NobleLibraries['gcm']): Aead {
  const cipher = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined) => {
    if (key.length !== 32) throw new InvalidKeyError(`${name} key must be 32 bytes, got ${key.length}`);
    if (nonce.length !== 12) throw new InvalidKeyError(`${name} nonce must be 12 bytes, got ${nonce.length}`);
    return make(key, nonce, aad && aad.length > 0 ? aad : undefined);
  };
  return {
    keyLength: 32,
    nonceLength: 12,
    tagLength: 16,
    seal: (key, nonce, plaintext, aad) => cipher(key, nonce, aad).encrypt(plaintext),
    open(key, nonce, sealed, aad) {
      const c = cipher(key, nonce, aad);
      if (sealed.length < 16) throw new DecryptionError('ciphertext shorter than the authentication tag', 'malformed');
      try {
        return c.decrypt(sealed);
      } catch (error) {
        throw new DecryptionError(undefined, 'authentication', { cause: error });
      }
    },
  };
}

/** A provider over the given `@noble/*` functions. */
export function nobleProviderFrom(libs: NobleLibraries): CryptoProvider {
  const edPublicKeyOf = (privateKey: Uint8Array) => {
    checkLength(privateKey, 'Ed25519 private key');
    return guard('invalid Ed25519 private key', () => libs.ed25519.getPublicKey(privateKey));
  };
  const xPublicKeyOf = (privateKey: Uint8Array) => {
    checkLength(privateKey, 'X25519 private key');
    return guard('invalid X25519 private key', () => libs.x25519.getPublicKey(privateKey));
  };
  return Object.freeze({
    name: 'noble',
    randomBytes: (length: number) => libs.randomBytes(length),
    sha256: (data: Uint8Array) => libs.sha256(data),
    hkdfSha256: (ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number) =>
      libs.hkdf(libs.sha256 as never, ikm, salt && salt.length > 0 ? salt : undefined, info, length),
    timingSafeEqual: (a: Uint8Array, b: Uint8Array) => a.length === b.length && libs.equalBytes(a, b),
    ed25519: {
      generateKeyPair() {
        const privateKey = libs.ed25519.utils.randomSecretKey();
        return { privateKey, publicKey: libs.ed25519.getPublicKey(privateKey) };
      },
      publicKeyOf: edPublicKeyOf,
      signer(privateKey: Uint8Array) {
        edPublicKeyOf(privateKey);
        return (message: Uint8Array) => libs.ed25519.sign(message, privateKey);
      },
      verifier(publicKey: Uint8Array) {
        checkLength(publicKey, 'Ed25519 public key');
        return (message: Uint8Array, signature: Uint8Array) => {
          if (signature.length !== 64) return false;
          try {
            return libs.ed25519.verify(signature, message, publicKey, { zip215: false });
          } catch {
            return false;
          }
        };
      },
      ...pemOperations('Ed25519', edPublicKeyOf),
    },
    x25519: {
      generateKeyPair() {
        const privateKey = libs.x25519.utils.randomSecretKey();
        return { privateKey, publicKey: libs.x25519.getPublicKey(privateKey) };
      },
      publicKeyOf: xPublicKeyOf,
      sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array) {
        checkLength(privateKey, 'X25519 private key');
        checkLength(publicKey, 'X25519 public key');
        return guard('X25519 key agreement failed (low-order public key?)', () => libs.x25519.getSharedSecret(privateKey, publicKey));
      },
      ...pemOperations('X25519', xPublicKeyOf),
    },
    chacha20poly1305: aead('chacha20-poly1305', libs.chacha20poly1305),
    aes256gcm: aead('aes-256-gcm', libs.gcm),
  });
}

let loading: Promise<CryptoProvider> | undefined;

/**
 * The pure-JavaScript provider on any platform (Node included), loading `@noble/*` on first
 * call. Browsers get it from `defaultCryptoProvider()` without this.
 */
export function loadNobleCryptoProvider(): Promise<CryptoProvider> {
  loading ??= (async () => {
    const [curves, chacha, aes, sha2, hkdf, cipherUtils, hashUtils] = await Promise.all([
      import('@noble/curves/ed25519.js'),
      import('@noble/ciphers/chacha.js'),
      import('@noble/ciphers/aes.js'),
      import('@noble/hashes/sha2.js'),
      import('@noble/hashes/hkdf.js'),
      import('@noble/ciphers/utils.js'),
      import('@noble/hashes/utils.js'),
    ]);
    return nobleProviderFrom({
      ed25519: curves.ed25519,
      x25519: curves.x25519,
      sha256: sha2.sha256,
      hkdf: hkdf.hkdf,
      chacha20poly1305: chacha.chacha20poly1305,
      gcm: aes.gcm,
      randomBytes: hashUtils.randomBytes,
      equalBytes: cipherUtils.equalBytes,
    });
  })();
  return loading;
}
