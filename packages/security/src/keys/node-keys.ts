/**
 * A node's own key material (protocol-security §2): an Ed25519 signing key and an X25519
 * encryption key, each with a random 16-character kid, published as JWKs in `getJwks()` and
 * sent in NodeAttach / NodeAttachAck as the node's shareable keys.
 */
import { randomId } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { defaultCryptoProvider } from '../platform/index.js';
import { EnvelopeSigner } from '../signing/envelope-signer.js';
import { ed25519Jwk, x25519Jwk, type PublicJwk } from './jwk.js';

export interface NodeKeysOptions {
  /** Default: the platform's provider. */
  readonly provider?: CryptoProvider;
  /** Ed25519 seed, or a PKCS#8 PEM; default: a fresh key. */
  readonly signingKey?: Uint8Array | string;
  /** X25519 private key, or a PKCS#8 PEM; default: a fresh key. */
  readonly encryptionKey?: Uint8Array | string;
  /** Default: a random 16-character id. */
  readonly signingKid?: string;
  readonly encryptionKid?: string;
  /**
   * The signing key's certificate chain (§6, `x509-chain` signing material): base64 DER, leaf
   * first. Published as the signing JWK's `x5c`; the kid does not change.
   */
  readonly certificateChain?: readonly string[];
}

export class NodeKeys {
  readonly provider: CryptoProvider;
  readonly signingKid: string;
  readonly encryptionKid: string;
  readonly signingPublicKey: Uint8Array;
  readonly encryptionPublicKey: Uint8Array;
  readonly #signingKey: Uint8Array;
  readonly #encryptionKey: Uint8Array;
  #signingJwk: PublicJwk;
  readonly #encryptionJwk: PublicJwk;
  #sign: ((message: Uint8Array) => Uint8Array) | undefined;

  /** @throws InvalidKeyError for a malformed key or PEM */
  constructor(options: NodeKeysOptions = {}) {
    const provider = (this.provider = options.provider ?? defaultCryptoProvider());
    const ed = provider.ed25519;
    const x = provider.x25519;
    this.#signingKey =
      options.signingKey === undefined
        ? ed.generateKeyPair().privateKey
        : typeof options.signingKey === 'string'
          ? ed.importPrivatePem(options.signingKey)
          : Uint8Array.from(options.signingKey);
    this.#encryptionKey =
      options.encryptionKey === undefined
        ? x.generateKeyPair().privateKey
        : typeof options.encryptionKey === 'string'
          ? x.importPrivatePem(options.encryptionKey)
          : Uint8Array.from(options.encryptionKey);
    this.signingKid = options.signingKid ?? randomId();
    this.encryptionKid = options.encryptionKid ?? randomId();
    this.signingPublicKey = ed.publicKeyOf(this.#signingKey);
    this.encryptionPublicKey = x.publicKeyOf(this.#encryptionKey);
    this.#signingJwk = Object.freeze(ed25519Jwk(this.signingPublicKey, this.signingKid));
    if (options.certificateChain) this.setCertificateChain(options.certificateChain);
    this.#encryptionJwk = Object.freeze(x25519Jwk(this.encryptionPublicKey, this.encryptionKid));
  }

  /** The node JWK: the public signing key. */
  signingJwk(): PublicJwk {
    return this.#signingJwk;
  }

  /**
   * Publishes (or, with `undefined`, withdraws) the signing key's certificate chain as `x5c`:
   * what a `CertificateManager` does once it has a certificate. Re-announce the keys after.
   */
  setCertificateChain(chain: readonly string[] | undefined): void {
    const { x5c: _old, ...jwk } = this.#signingJwk;
    this.#signingJwk = Object.freeze(chain && chain.length > 0 ? { ...jwk, x5c: [...chain] } : jwk);
  }

  encryptionJwk(): PublicJwk {
    return this.#encryptionJwk;
  }

  /** `{"keys":[<sig>, <enc>]}`, the node's JWKS document. */
  getJwks(): { keys: PublicJwk[] } {
    return { keys: [this.#signingJwk, this.#encryptionJwk] };
  }

  /** The keys sent in NodeAttach / NodeAttachAck: the node JWK, then the other JWKS entries. */
  shareableKeys(): PublicJwk[] {
    return [this.#signingJwk, ...this.getJwks().keys.filter((key) => key.kid !== this.signingKid)];
  }

  /** A signer for envelopes this node originates at `physicalPath` (make a new one after re-attach). */
  envelopeSigner(physicalPath: string): EnvelopeSigner {
    return new EnvelopeSigner({ provider: this.provider, kid: this.signingKid, privateKey: this.#signingKey, physicalPath });
  }

  /** Ed25519 signature of `message` with the node's signing key. */
  sign(message: Uint8Array): Uint8Array {
    this.#sign ??= this.provider.ed25519.signer(this.#signingKey);
    return this.#sign(message);
  }

  /** X25519 shared secret with a peer's public key (sealed envelopes, secure channels). */
  sharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    return this.provider.x25519.sharedSecret(this.#encryptionKey, peerPublicKey);
  }

  /** PKCS#8 PEM of the signing key, to persist the node identity. Keep it secret. */
  signingPrivatePem(): string {
    return this.provider.ed25519.exportPrivatePem(this.#signingKey);
  }

  signingPublicPem(): string {
    return this.provider.ed25519.exportPublicPem(this.signingPublicKey);
  }

  encryptionPrivatePem(): string {
    return this.provider.x25519.exportPrivatePem(this.#encryptionKey);
  }

  encryptionPublicPem(): string {
    return this.provider.x25519.exportPublicPem(this.encryptionPublicKey);
  }
}
