import { fingerprintCandidate } from '@naylence/core';
import { utf8Encode } from '../crypto/encoding.js';
import { defaultCryptoProvider } from '../platform/index.js';

/**
 * `fingerprint(material, n)` of the reference (core `generateId` in fingerprint mode), computed
 * synchronously with the platform provider: see core `fingerprintId` for the rule and blacklist.
 * A node under the token-subject identity policy has the id `<fingerprint(sub, 8)>-<id>`.
 */
export function subjectFingerprint(material: string, length = 8): string {
  const crypto = defaultCryptoProvider();
  let digest = crypto.sha256(utf8Encode(material));
  for (;;) {
    const id = fingerprintCandidate(digest, length);
    if (id !== undefined) return id;
    digest = crypto.sha256(digest);
  }
}
