import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startJwksServer } from '../http-fixtures.test.util.js';
import { createHmacJwtVerifier } from './hmac-verifier.js';
import { createJwksVerifier, createLocalJwksVerifier } from './jwks-verifier.js';
import { createJwtIssuer } from './jwt-issuer.js';
import { generateJwtSigningKey, hmacSigningKey, importJwtSigningKey, JwtKeyRing } from './signing-keys.js';
import { TokenVerificationError } from './token-errors.js';

const ISSUER = 'https://auth.test';
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS from raw parts, for tokens no honest library would make. */
function rawToken(header: object, payload: object, sign: (input: string) => string = () => ''): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  return `${input}.${sign(input)}`;
}

async function refusal(promise: Promise<unknown>): Promise<TokenVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVerificationError);
  expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  return error as TokenVerificationError;
}

describe('JWT issuer', () => {
  it('signs EdDSA by default with header {alg, kid, typ} and iss/iat/nbf/exp/aud, caller claims winning', async () => {
    const key = await generateJwtSigningKey();
    const issuer = createJwtIssuer({ issuer: ISSUER, key, audience: 'fame.fabric' });
    const token = await issuer.issue({ sub: 'client-1', scope: 'node.connect', nbf: 5 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    const payload = decodeJwt(token);
    expect(Object.keys(payload)).toEqual(['iss', 'iat', 'nbf', 'exp', 'aud', 'sub', 'scope']);
    expect(payload).toMatchObject({ iss: ISSUER, aud: 'fame.fabric', sub: 'client-1', nbf: 5 });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA', use: 'sig' });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('signs RS256 and imports a PKCS#8 key so tokens survive a restart', async () => {
    const rsa = await generateJwtSigningKey({ algorithm: 'RS256', kid: 'rsa-1' });
    expect(rsa.publicJwk).toMatchObject({ kty: 'RSA', kid: 'rsa-1', alg: 'RS256', use: 'sig' });
    expect(Object.keys(rsa.publicJwk!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    const { exportPKCS8 } = await import('jose');
    const pem = await exportPKCS8(rsa.privateKey as CryptoKey);
    const again = await importJwtSigningKey({ pem, algorithm: 'RS256', kid: 'rsa-1' });
    expect(again.publicJwk).toEqual(rsa.publicJwk);
    await expect(importJwtSigningKey({ pem: 'nope' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });

  it('refuses an empty issuer, a bad ttl and a short HMAC secret', () => {
    expect(() => createJwtIssuer({ issuer: '', key: hmacSigningKey({ secret: 'x'.repeat(32) }) })).toThrow(/issuer/);
    expect(() => createJwtIssuer({ issuer: ISSUER, key: hmacSigningKey({ secret: 'x'.repeat(32) }), ttlSec: 0 })).toThrow(/ttlSec/);
    expect(() => hmacSigningKey({ secret: 'short', what: 'FAME_HMAC_SECRET' })).toThrow(/FAME_HMAC_SECRET must be at least 32 bytes/);
  });
});

describe('JWKS verifier', () => {
  it('verifies a token from the published key set and reports the claims plus kid', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const issuer = createJwtIssuer({ issuer: server.issuer, key: () => ring.current });
    const verifier = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer, audience: 'fame.fabric' });
    const token = await issuer.issue({ sub: 'c', scope: 'node.connect' }, { audience: 'fame.fabric' });
    const { claims, header } = await verifier.verify(token);
    expect(claims).toMatchObject({ iss: server.issuer, sub: 'c', aud: 'fame.fabric', kid: ring.current.kid });
    expect(header).toEqual({ alg: 'EdDSA', kid: ring.current.kid, typ: 'JWT' });
    await verifier.verify(token);
    expect(server.requests).toHaveLength(1); // cached
  });

  it('refuses expired, not-yet-valid, wrong issuer, wrong audience and exp-less tokens; accepts a fractional exp', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const sign = (claims: Record<string, unknown>) => createJwtIssuer({ issuer: server.issuer, key: ring.current }).issue(claims);
    const verifier = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer, audience: 'fame.fabric', clockToleranceSec: 30 });
    const aud = 'fame.fabric';
    expect((await refusal(verifier.verify(await sign({ aud, exp: now() - 120 })))).failure).toBe('expired');
    expect((await refusal(verifier.verify(await sign({ aud, nbf: now() + 600 })))).failure).toBe('not_yet_valid');
    expect((await refusal(verifier.verify(await sign({ aud, iss: 'https://evil.test' })))).failure).toBe('invalid_issuer');
    expect((await refusal(verifier.verify(await sign({ aud: 'other' })))).failure).toBe('invalid_audience');
    expect((await refusal(verifier.verify(await sign({ aud, exp: undefined })))).failure).toBe('missing_claim');
    // Within the clock tolerance: accepted; Python issues a float exp.
    await expect(verifier.verify(await sign({ aud, exp: now() - 5 }))).resolves.toBeDefined();
    await expect(verifier.verify(await sign({ aud, exp: now() + 60.5 }))).resolves.toBeDefined();
    const lenient = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer, requireExpiry: false });
    await expect(lenient.verify(await sign({ exp: undefined }))).resolves.toBeDefined();
  });

  it('refuses alg none, HS256 signed with the public key, unpublished keys and garbage without fetching for them', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const verifier = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer });
    const payload = { iss: server.issuer, exp: now() + 600, sub: 'mallory' };
    const kid = ring.current.kid;

    expect((await refusal(verifier.verify(rawToken({ alg: 'none', typ: 'JWT' }, payload)))).failure).toBe('algorithm_not_allowed');
    // Algorithm confusion: an HMAC "signed" with the published public key material.
    const x = ring.current.publicJwk!.x as string;
    for (const secret of [x, JSON.stringify(ring.current.publicJwk)]) {
      const forged = rawToken({ alg: 'HS256', kid, typ: 'JWT' }, payload, (input) =>
        createHmac('sha256', secret).update(input).digest('base64url'),
      );
      expect((await refusal(verifier.verify(forged))).failure).toBe('algorithm_not_allowed');
    }
    for (const garbage of ['garbage', 'a.b.c', `${'x'.repeat(20_000)}`]) {
      expect(['malformed']).toContain((await refusal(verifier.verify(garbage))).failure);
    }
    expect(server.requests).toHaveLength(0);

    // A well-formed token from a key the issuer never published: under its own kid, and
    // claiming the published kid.
    const rogue = await generateJwtSigningKey();
    const rogueToken = await createJwtIssuer({ issuer: server.issuer, key: rogue }).issue({ sub: 'mallory' });
    expect((await refusal(verifier.verify(rogueToken))).failure).toBe('unknown_key');
    const impostor = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' }).sign(rogue.privateKey);
    expect((await refusal(verifier.verify(impostor))).failure).toBe('invalid_signature');
    // Unknown kids triggered one fetch, then the cooldown held: a stream of garbage kids cannot hammer the issuer.
    for (let i = 0; i < 5; i++) {
      const k = await generateJwtSigningKey();
      await refusal(verifier.verify(await createJwtIssuer({ issuer: server.issuer, key: k }).issue()));
    }
    expect(server.requests).toHaveLength(1);
  });

  it('follows a key rotation without a restart and keeps tokens of the previous key valid', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const issuer = createJwtIssuer({ issuer: server.issuer, key: () => ring.current });
    const verifier = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer, refetchCooldownMs: 0 });
    const before = await issuer.issue({ sub: 'old' });
    await verifier.verify(before);
    ring.rotate(await generateJwtSigningKey());
    const after = await issuer.issue({ sub: 'new' });
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    await expect(verifier.verify(after)).resolves.toMatchObject({ claims: { sub: 'new' } });
    await expect(verifier.verify(before)).resolves.toMatchObject({ claims: { sub: 'old' } });
    expect(server.requests).toHaveLength(2);
    // Published ahead, a key is known to verifiers before it signs anything.
    const next = await generateJwtSigningKey();
    ring.publish(next);
    const early = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer });
    await early.verify(after);
    ring.rotate(next);
    await expect(early.verify(await issuer.issue({ sub: 'next' }))).resolves.toMatchObject({ header: { kid: next.kid } });
    expect(() => ring.rotate({ ...next })).toThrow(/already in use/);
    ring.retire(decodeProtectedHeader(before).kid!);
    const fresh = createJwksVerifier({ jwksUrl: server.jwksUrl, issuer: server.issuer });
    expect((await refusal(fresh.verify(before))).failure).toBe('unknown_key');
  });

  it('reports an unreachable key set as keys_unavailable', async () => {
    const server = await startJwksServer(() => ({ keys: [] }));
    const url = server.jwksUrl;
    await server[Symbol.asyncDispose]();
    const key = await generateJwtSigningKey();
    const verifier = createJwksVerifier({ jwksUrl: url, issuer: ISSUER });
    expect((await refusal(verifier.verify(await createJwtIssuer({ issuer: ISSUER, key }).issue()))).failure).toBe('keys_unavailable');
  });

  it('fails at construction on a missing issuer or URL and on allow-lists with none or HMAC', () => {
    const jwksUrl = 'https://auth.test/.well-known/jwks.json';
    expect(() => createJwksVerifier({ jwksUrl, issuer: '' })).toThrow(/trusted issuer/);
    expect(() => createJwksVerifier({ jwksUrl: '', issuer: ISSUER })).toThrow(/JWKS URL is required/);
    expect(() => createJwksVerifier({ jwksUrl: 'ftp://x', issuer: ISSUER })).toThrow(/http/);
    expect(() => createJwksVerifier({ jwksUrl, issuer: ISSUER, algorithms: ['HS256' as never] })).toThrow(/shared secret/);
    expect(() => createJwksVerifier({ jwksUrl, issuer: ISSUER, algorithms: ['none' as never] })).toThrow(/never accepted/);
    expect(() => createJwksVerifier({ jwksUrl, issuer: ISSUER, algorithms: [] })).toThrow(/empty/);
  });

  it('pins the algorithm: an RS256 token is refused by an EdDSA-only verifier', async () => {
    const rsa = await generateJwtSigningKey({ algorithm: 'RS256' });
    const verifier = createLocalJwksVerifier({ jwks: { keys: [rsa.publicJwk!] }, issuer: ISSUER, algorithms: ['EdDSA'] });
    const token = await createJwtIssuer({ issuer: ISSUER, key: rsa }).issue();
    expect((await refusal(verifier.verify(token))).failure).toBe('algorithm_not_allowed');
    const rsOk = createLocalJwksVerifier({ jwks: { keys: [rsa.publicJwk!] }, issuer: ISSUER, algorithms: ['RS256'] });
    await expect(rsOk.verify(token)).resolves.toBeDefined();
  });
});

describe('HMAC verifier (reverse auth)', () => {
  const secret = 'a-shared-secret-of-at-least-32-bytes!';

  it('verifies HS256 tokens of the same secret, refusing other secrets, other algorithms and old iat', async () => {
    const key = hmacSigningKey({ secret });
    const token = await createJwtIssuer({ issuer: 'reverse-auth.naylence.ai', key, audience: 'dev.naylence.ai' }).issue({ sub: 's' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'hmac-reverse-auth-key', typ: 'JWT' });
    const verifier = createHmacJwtVerifier({
      secret,
      issuer: 'reverse-auth.naylence.ai',
      audience: 'dev.naylence.ai',
      maxTokenAgeSec: 3600,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 's' } });

    const other = createHmacJwtVerifier({ secret: `${secret}-other`, issuer: 'reverse-auth.naylence.ai' });
    expect((await refusal(other.verify(token))).failure).toBe('invalid_signature');
    const ed = await createJwtIssuer({ issuer: 'reverse-auth.naylence.ai', key: await generateJwtSigningKey() }).issue();
    expect((await refusal(verifier.verify(ed))).failure).toBe('algorithm_not_allowed');
    const old = await createJwtIssuer({ issuer: 'reverse-auth.naylence.ai', key, audience: 'dev.naylence.ai' }).issue({
      iat: now() - 7200,
    });
    expect((await refusal(verifier.verify(old))).failure).toBe('expired');
    expect(() => createHmacJwtVerifier({ secret, issuer: 'x', algorithms: ['EdDSA' as never] })).toThrow(/accepts only HS256/);
    expect(() => createHmacJwtVerifier({ secret: 'short', secretName: 'FAME_HMAC_SECRET', issuer: 'x' })).toThrow(/FAME_HMAC_SECRET/);
  });
});
