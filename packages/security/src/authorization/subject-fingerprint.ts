import { base62FromBytes } from '@naylence/core';
import { base64Decode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { defaultCryptoProvider } from '../platform/index.js';

// The reference's fingerprint blacklist (admission-and-http §7), stored base64-encoded as the
// reference stores it. It differs from core's id blocklist on purpose: a subject prefix must be
// exactly what a reference node derives, or enforcement refuses honest nodes.
const BLACKLIST = [
  'c2hpdA==',
  'ZnVj',
  'ZnVr',
  'ZGFtbg==',
  'Yml0Y2g=',
  'YmFzdGFy',
  'YXNzaG9s',
  'Y3JhcA==',
  'ZGljaw==',
  'cGlzcw==',
  'Ym9sbG9jaw==',
  'cHVzcw==',
  'YnVnZ2Vy',
  'Ymxvb2Q=',
  'ZmFnZw==',
  'Y3VudA==',
  'Y3Vt',
].map((word) => utf8Decode(base64Decode(word)!));

/**
 * `fingerprint(material, n)` of the reference (core `generateId` in fingerprint mode): SHA-256
 * of the UTF-8 material as one big-endian integer in base62, the first `n` characters
 * (left-padded with `0`), re-hashed while the lower-cased result contains a blacklisted word.
 * A node under the token-subject identity policy has the id `<fingerprint(sub, 8)>-<id>`.
 */
export function subjectFingerprint(material: string, length = 8): string {
  const crypto = defaultCryptoProvider();
  let digest = crypto.sha256(utf8Encode(material));
  for (;;) {
    const id = base62FromBytes(digest).slice(0, length).padStart(length, '0');
    const lower = id.toLowerCase();
    if (!BLACKLIST.some((word) => lower.includes(word))) return id;
    digest = crypto.sha256(digest);
  }
}
