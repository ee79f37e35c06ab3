/** A public JWK as the key store keeps it (protocol-security §2, §4.2). */
export interface KeyRecord {
  readonly kid: string;
  readonly kty: string;
  readonly use: 'sig' | 'enc';
  readonly crv?: string;
  readonly x?: string;
  /** secureDigest of {@link physical_path}: the first TBS component when verifying (§3.7, §8 C2). */
  readonly sid: string;
  /** The physical path (or `name@path` address) the key was registered under. */
  readonly physical_path: string;
  readonly [member: string]: unknown;
}

/** What the verifier needs from a key store. */
export interface SigningKeyLookup {
  /** Every stored key with this kid, one per owner path (usually one). */
  keysWithKid(kid: string): readonly KeyRecord[];
}
