/**
 * The crypto primitives every other module of this package uses, behind one interface with
 * two implementations: `node:crypto` on Node (`src/platform/node`) and `@noble/*` + WebCrypto
 * randomness in browsers (`src/platform/browser`), chosen by the package's `browser` export
 * condition. Nothing here is hand-written crypto: each operation is one library call.
 *
 * Keys are raw bytes (32-byte Ed25519 seeds and X25519 scalars, 32-byte public keys), the
 * form JWKs carry. `signer()`/`verifier()` return functions with the key already imported,
 * for hot paths (importing a key into `node:crypto` costs about as much as one signature).
 */

/** A raw key pair: `privateKey` is the 32-byte Ed25519 seed or X25519 scalar. */
export interface RawKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Ed25519 (RFC 8032, pure: no prehash, no context). */
export interface Ed25519Operations {
  generateKeyPair(): RawKeyPair;
  /** The public key of a 32-byte seed. @throws InvalidKeyError */
  publicKeyOf(privateKey: Uint8Array): Uint8Array;
  /** A signing function with the key imported once. @throws InvalidKeyError */
  signer(privateKey: Uint8Array): (message: Uint8Array) => Uint8Array;
  /**
   * A verifying function with the key imported once. It returns false for a wrong or
   * malformed signature and never throws. @throws InvalidKeyError for a malformed public key
   */
  verifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) → seed. @throws InvalidKeyError */
  importPrivatePem(pem: string): Uint8Array;
  exportPrivatePem(privateKey: Uint8Array): string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`) → raw public key. @throws InvalidKeyError */
  importPublicPem(pem: string): Uint8Array;
  exportPublicPem(publicKey: Uint8Array): string;
}

/** X25519 (RFC 7748). */
export interface X25519Operations {
  generateKeyPair(): RawKeyPair;
  /** @throws InvalidKeyError */
  publicKeyOf(privateKey: Uint8Array): Uint8Array;
  /** The 32-byte shared secret. @throws InvalidKeyError for a malformed or low-order public key */
  sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  importPrivatePem(pem: string): Uint8Array;
  exportPrivatePem(privateKey: Uint8Array): string;
  importPublicPem(pem: string): Uint8Array;
  exportPublicPem(publicKey: Uint8Array): string;
}

/** An AEAD with a 32-byte key, 12-byte nonce and 16-byte tag. */
export interface Aead {
  readonly keyLength: 32;
  readonly nonceLength: 12;
  readonly tagLength: 16;
  /** Ciphertext followed by the tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** @throws DecryptionError when the tag does not verify; InvalidKeyError for a bad key or nonce length */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array;
}

/**
 * Ed25519 over an asynchronous platform API (WebCrypto): same keys and signatures as
 * {@link Ed25519Operations}, offered where it is faster than the synchronous implementation.
 */
export interface AsyncEd25519Operations {
  /** `webcrypto`. */
  readonly name: string;
  /** A signing function; the key is imported on first use. @throws InvalidKeyError for a key of the wrong length */
  signer(privateKey: Uint8Array): (message: Uint8Array) => Promise<Uint8Array>;
  /** A verifying function; false for a wrong or malformed signature, never a rejection. */
  verifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
}

export interface CryptoProvider {
  /** `node:crypto` or `noble`. */
  readonly name: string;
  /** Bytes from the platform CSPRNG. */
  randomBytes(length: number): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  /** HKDF-SHA256 (RFC 5869); an absent or empty salt is the RFC's zero salt. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array;
  /** Constant-time equality; false for different lengths. */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  readonly ed25519: Ed25519Operations;
  readonly x25519: X25519Operations;
  readonly chacha20poly1305: Aead;
  readonly aes256gcm: Aead;
  /**
   * Where present, `EnvelopeSigner.signAsync` and `EnvelopeVerifier.verifyAsync` sign and verify
   * with these (WebCrypto in browsers: see `loadDefaultCryptoProvider`); the synchronous
   * `ed25519` stays for everything else.
   */
  readonly ed25519Async?: AsyncEd25519Operations;
}
