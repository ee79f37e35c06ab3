import { exportJWK, generateKeyPair, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { ConfigError, randomId } from '@naylence/core';
import { isHmacAlgorithm, parseJwtAlgorithm, type AsymmetricJwtAlgorithm, type HmacJwtAlgorithm } from './algorithms.js';

/** A key a {@link JwtIssuer} signs with. Public-key ones also carry the JWK to publish. */
export type JwtSigningKey =
  | {
      readonly kid: string;
      readonly algorithm: AsymmetricJwtAlgorithm;
      readonly privateKey: CryptoKey;
      /** `{kty, crv|n,e, x…, kid, alg, use:"sig"}`: what a JWKS endpoint publishes. */
      readonly publicJwk: Readonly<JWK>;
    }
  | {
      readonly kid: string;
      readonly algorithm: HmacJwtAlgorithm;
      readonly privateKey: Uint8Array;
      readonly publicJwk?: never;
    };

/** Length of generated key ids, like the reference's random 16-character kids. */
const KID_LENGTH = 16;
/** Private members of a JWK, dropped when publishing. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

async function publicJwkOf(key: CryptoKey, kid: string, algorithm: AsymmetricJwtAlgorithm): Promise<Readonly<JWK>> {
  const jwk: Record<string, unknown> = { ...(await exportJWK(key)) };
  for (const member of PRIVATE_JWK_MEMBERS) delete jwk[member];
  delete jwk.key_ops;
  delete jwk.ext;
  return Object.freeze({ ...(jwk as JWK), kid, alg: algorithm, use: 'sig' });
}

/**
 * A fresh signing key pair. Default `EdDSA` (Ed25519), as the reference token servers use;
 * `RS256` gives a 2048-bit RSA key.
 */
export async function generateJwtSigningKey(options: { algorithm?: AsymmetricJwtAlgorithm; kid?: string } = {}): Promise<JwtSigningKey> {
  const algorithm = options.algorithm ?? 'EdDSA';
  const kid = options.kid ?? randomId(KID_LENGTH);
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'EdDSA' && { crv: 'Ed25519' }) });
  return Object.freeze({ kid, algorithm, privateKey, publicJwk: await publicJwkOf(privateKey, kid, algorithm) });
}

/**
 * A signing key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), so tokens survive restarts.
 * @throws ConfigError when the PEM does not hold a key for `algorithm`
 */
export async function importJwtSigningKey(options: {
  pem: string;
  algorithm?: AsymmetricJwtAlgorithm;
  kid?: string;
}): Promise<JwtSigningKey> {
  const algorithm = options.algorithm ?? 'EdDSA';
  const kid = options.kid ?? randomId(KID_LENGTH);
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(options.pem, algorithm, { extractable: true });
  } catch (error) {
    throw new ConfigError(`cannot import the ${algorithm} signing key: ${(error as Error).message}`);
  }
  return Object.freeze({ kid, algorithm, privateKey, publicJwk: await publicJwkOf(privateKey, kid, algorithm) });
}

/** Shortest HMAC secret accepted: RFC 7518 §3.2 asks for at least the hash size (32 bytes for HS256). */
export const MIN_HMAC_SECRET_BYTES = 32;

/**
 * An HMAC key for reverse-auth tokens (`oauth2-callback`). The reference's kid is
 * `hmac-reverse-auth-key`.
 * @throws ConfigError when the secret is shorter than 32 bytes (the reference accepts any
 *   length; a short HMAC secret can be brute-forced from one token)
 */
export function hmacSigningKey(options: { secret: string; algorithm?: HmacJwtAlgorithm; kid?: string; what?: string }): JwtSigningKey {
  const privateKey = new TextEncoder().encode(options.secret);
  if (privateKey.length < MIN_HMAC_SECRET_BYTES) {
    throw new ConfigError(`${options.what ?? 'HMAC secret'} must be at least ${MIN_HMAC_SECRET_BYTES} bytes long`);
  }
  const algorithm = options.algorithm ?? 'HS256';
  if (!isHmacAlgorithm(parseJwtAlgorithm(algorithm, 'hmacSigningKey')))
    throw new ConfigError(`hmacSigningKey: ${algorithm} is not an HMAC algorithm`);
  return Object.freeze({ kid: options.kid ?? 'hmac-reverse-auth-key', algorithm, privateKey });
}

/** A JSON Web Key Set as published at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<JWK>[];
}

/**
 * The keys of a token server: one current signing key and the previous ones still published
 * so tokens they signed keep verifying until they expire. {@link rotate} switches signing to a
 * new key without a restart; verifiers fetch it when they first meet its kid.
 */
export class JwtKeyRing {
  #current: JwtSigningKey;
  #published: JwtSigningKey[];

  constructor(current: JwtSigningKey) {
    if (current.publicJwk === undefined) throw new ConfigError('JwtKeyRing holds public-key (asymmetric) signing keys only');
    this.#current = current;
    this.#published = [current];
  }

  /** A ring with one generated key. */
  static async generate(algorithm: AsymmetricJwtAlgorithm = 'EdDSA'): Promise<JwtKeyRing> {
    return new JwtKeyRing(await generateJwtSigningKey({ algorithm }));
  }

  get current(): JwtSigningKey {
    return this.#current;
  }

  /**
   * Publish `next` without signing with it yet. Verifiers refetch a key set at most once per
   * cooldown (30 s by default), so publishing the next key ahead of {@link rotate} lets every
   * verifier know it before the first token it signs arrives.
   */
  publish(next: JwtSigningKey): void {
    if (next.publicJwk === undefined) throw new ConfigError('JwtKeyRing holds public-key (asymmetric) signing keys only');
    if (this.#published.some((k) => k.kid === next.kid))
      throw new ConfigError(`JwtKeyRing: kid ${JSON.stringify(next.kid)} is already in use`);
    this.#published = [...this.#published, next];
  }

  /** Sign with `next` from now on (publishing it if needed); the old key stays published until {@link retire}. */
  rotate(next: JwtSigningKey): void {
    const published = this.#published.find((k) => k.kid === next.kid);
    if (published !== undefined && published !== next)
      throw new ConfigError(`JwtKeyRing: kid ${JSON.stringify(next.kid)} is already in use`);
    if (published === undefined) this.publish(next);
    this.#current = next;
    this.#published = [next, ...this.#published.filter((k) => k !== next)];
  }

  /** Stop publishing a previous key (tokens it signed stop verifying once verifiers refetch). */
  retire(kid: string): void {
    if (kid === this.#current.kid) throw new ConfigError('JwtKeyRing: cannot retire the current signing key; rotate first');
    this.#published = this.#published.filter((k) => k.kid !== kid);
  }

  /** The published keys, current first. */
  jwks(): JsonWebKeySet {
    return { keys: this.#published.map((k) => k.publicJwk as JWK) };
  }
}
