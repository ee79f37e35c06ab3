/**
 * JWK checks of protocol-security §2, as both references apply them to keys received at
 * attach and in KeyAnnounce, plus one more: an OKP key's `x` must be 32 bytes of base64url
 * for the curves we use (a malformed key is dropped when stored, not when first used).
 */
import { base64Decode } from '../crypto/encoding.js';

export type KeyUse = 'sig' | 'enc';

export type JwkCheck = { readonly ok: true; readonly use: KeyUse } | { readonly ok: false; readonly reason: string };

const REQUIRED: Readonly<Record<string, readonly string[]>> = { OKP: ['crv', 'x'], EC: ['crv', 'x', 'y'], RSA: ['n', 'e'] };
const CURVES: Readonly<Record<string, readonly string[]>> = {
  OKP: ['Ed25519', 'Ed448', 'X25519', 'X448'],
  EC: ['P-256', 'P-384', 'P-521'],
};

function fail(reason: string): JwkCheck {
  return { ok: false, reason };
}

/** Structure, `use` and curve/use agreement (the reference's `validateJwkComplete`). */
export function checkJwk(jwk: unknown): JwkCheck {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return fail('not a JSON object');
  const key = jwk as Record<string, unknown>;
  if (typeof key.kid !== 'string' || key.kid === '') return fail('missing kid');
  if (typeof key.kty !== 'string') return fail('missing kty');
  const required = REQUIRED[key.kty];
  if (!required) return fail(`unsupported kty ${JSON.stringify(key.kty)}`);
  const missing = required.filter((member) => !(member in key));
  if (missing.length > 0) return fail(`missing ${missing.join(', ')} for kty ${key.kty}`);
  const curves = CURVES[key.kty];
  if (curves && (typeof key.crv !== 'string' || !curves.includes(key.crv)))
    return fail(`invalid curve ${JSON.stringify(key.crv)} for ${key.kty}`);
  if (key.use !== 'sig' && key.use !== 'enc') return fail(`use must be "sig" or "enc", got ${JSON.stringify(key.use)}`);
  const use = key.use;
  if (key.crv === 'X25519' && use !== 'enc') return fail('X25519 keys must have use "enc"');
  if (key.kty !== 'OKP' || key.crv === 'Ed25519' || key.crv === 'Ed448') {
    if (use !== 'sig') return fail(`${typeof key.crv === 'string' ? key.crv : key.kty} keys must have use "sig"`);
  }
  if (key.crv === 'Ed25519' || key.crv === 'X25519') {
    const x = typeof key.x === 'string' ? base64Decode(key.x) : undefined;
    if (!x || x.length !== 32) return fail(`x is not 32 bytes of base64url`);
  }
  return { ok: true, use };
}

/** A key this package can verify envelope signatures with: Ed25519, `use: "sig"`, no `x5c`. */
export function checkSigningJwk(jwk: unknown): JwkCheck {
  const check = checkJwk(jwk);
  if (!check.ok) return check;
  const key = jwk as Record<string, unknown>;
  if (check.use !== 'sig' || key.kty !== 'OKP' || key.crv !== 'Ed25519') return fail('not an Ed25519 signing key');
  if (key.x5c !== undefined) return fail('certificate (x5c) keys need x509-chain signing material');
  return check;
}

/** A key this package can encrypt to: X25519, `use: "enc"`. */
export function checkEncryptionJwk(jwk: unknown): JwkCheck {
  const check = checkJwk(jwk);
  if (!check.ok) return check;
  const key = jwk as Record<string, unknown>;
  if (check.use !== 'enc' || key.kty !== 'OKP' || key.crv !== 'X25519') return fail('not an X25519 encryption key');
  return check;
}
