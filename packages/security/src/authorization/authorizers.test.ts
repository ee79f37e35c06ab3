import { base64url, SignJWT } from 'jose';
import { createHmac } from 'node:crypto';
import type { AuthorizationContext, NodeAttachFrame } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { startJwksServer } from '../http-fixtures.test.util.js';
import { createJwtIssuer } from '../jwt/jwt-issuer.js';
import { generateJwtSigningKey, JwtKeyRing } from '../jwt/signing-keys.js';
import { oauth2CallbackAuthorizer } from './callback-authorizer.js';
import { noopAuthorizer } from './noop-authorizer.js';
import { oauth2Authorizer, type OAuth2Authorizer } from './oauth2-authorizer.js';
import { subjectFingerprint } from './subject-fingerprint.js';

const AUDIENCE = 'fame.fabric';
const now = () => Math.floor(Date.now() / 1000);
const attach = (systemId: string, extra: Partial<NodeAttachFrame> = {}): NodeAttachFrame => ({
  type: 'NodeAttach',
  systemId,
  instanceId: 'i-1',
  ...extra,
});

/** A token server stand-in (key ring + JWKS over real HTTP) and an oauth2 authorizer trusting it. */
async function gatedSetup(options: Partial<Parameters<typeof oauth2Authorizer>[0]> = {}) {
  const ring = await JwtKeyRing.generate();
  const server = await startJwksServer(() => ring.jwks());
  const issuer = createJwtIssuer({ issuer: server.issuer, key: () => ring.current, audience: AUDIENCE });
  const authorizer = oauth2Authorizer({
    issuer: server.issuer,
    audience: AUDIENCE,
    algorithms: ['EdDSA'],
    jwksRefetchCooldownMs: 0,
    ...options,
  });
  const token = (claims: Record<string, unknown> = {}) => issuer.issue({ sub: 'agent-client', scope: 'node.connect', ...claims });
  return { ring, server, issuer, authorizer, token, [Symbol.asyncDispose]: () => server[Symbol.asyncDispose]() };
}

async function failure(authorizer: OAuth2Authorizer, credentials: string | undefined): Promise<string> {
  const error = (await authorizer.authenticateOrThrow(credentials).catch((e: unknown) => e)) as { failure?: string; code?: string };
  expect(error.code).toBe('AUTHENTICATION_FAILED');
  expect(await authorizer.authenticate(credentials)).toBeUndefined();
  return error.failure!;
}

describe('oauth2 authorizer: refusals', () => {
  it('admits an honest token with principal, claims, scopes', async () => {
    await using env = await gatedSetup();
    const context = await env.authorizer.authenticate(`Bearer ${await env.token()}`);
    expect(context).toMatchObject<Partial<AuthorizationContext>>({
      authenticated: true,
      authorized: true,
      principal: 'agent-client',
      grantedScopes: ['node.connect'],
      authMethod: 'oauth2',
    });
    expect(context!.claims).toMatchObject({ iss: env.server.issuer, aud: AUDIENCE, kid: env.ring.current.kid });
    expect(await env.authorizer.authorizeAttach(attach('anything'), context!)).toBe(true);
  });

  it('refuses no token, garbage, expired, not yet valid, wrong issuer, wrong audience, missing scope', async () => {
    await using env = await gatedSetup();
    expect(await failure(env.authorizer, undefined)).toBe('missing');
    expect(await failure(env.authorizer, '')).toBe('missing');
    expect(await failure(env.authorizer, 'Bearer not-a-jwt')).toBe('malformed');
    expect(await failure(env.authorizer, `Bearer ${await env.token({ exp: now() - 3600 })}`)).toBe('expired');
    expect(await failure(env.authorizer, `Bearer ${await env.token({ nbf: now() + 3600 })}`)).toBe('not_yet_valid');
    expect(await failure(env.authorizer, `Bearer ${await env.token({ iss: 'https://other.test' })}`)).toBe('invalid_issuer');
    expect(await failure(env.authorizer, `Bearer ${await env.token({ aud: '/sentinel-a' })}`)).toBe('invalid_audience');
    expect(await failure(env.authorizer, `Bearer ${await env.token({ scope: 'node.read other' })}`)).toBe('missing_scope');
  });

  it('refuses alg none, HS256 signed with the public key, and a well-formed token from an unpublished key', async () => {
    await using env = await gatedSetup();
    const payload = { iss: env.server.issuer, aud: AUDIENCE, sub: 'mallory', scope: 'node.connect', exp: now() + 600 };
    const encode = (header: object) => `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
    expect(await failure(env.authorizer, `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.`)).toBe('algorithm_not_allowed');
    const hsInput = encode({ alg: 'HS256', typ: 'JWT', kid: env.ring.current.kid });
    const hsSig = createHmac('sha256', env.ring.current.publicJwk!.x as string)
      .update(hsInput)
      .digest('base64url');
    expect(await failure(env.authorizer, `Bearer ${hsInput}.${hsSig}`)).toBe('algorithm_not_allowed');
    const rogue = await generateJwtSigningKey();
    const forged = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: rogue.kid, typ: 'JWT' }).sign(rogue.privateKey);
    expect(await failure(env.authorizer, `Bearer ${forged}`)).toBe('unknown_key');
    const impostor = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: env.ring.current.kid }).sign(rogue.privateKey);
    expect(await failure(env.authorizer, `Bearer ${impostor}`)).toBe('invalid_signature');
  });

  it('refuses a NodeAttach for another node than the token names (system_id, assigned_path, logicals)', async () => {
    await using env = await gatedSetup();
    const context = await env.authorizer.authenticateOrThrow(
      `Bearer ${await env.token({ system_id: 'agent-a', assigned_path: '/sentinel/agent-a', accepted_logicals: ['math.fame.fabric'] })}`,
    );
    expect(env.authorizer.attachViolation(attach('agent-a'), context)).toBeUndefined();
    expect(
      await env.authorizer.authorizeAttach(
        attach('agent-a', { assignedPath: '/sentinel/agent-a', acceptedLogicals: ['math.fame.fabric'] }),
        context,
      ),
    ).toBe(true);
    expect(env.authorizer.attachViolation(attach('agent-b'), context)).toMatch(/the token is for node "agent-a", not "agent-b"/);
    expect(await env.authorizer.authorizeAttach(attach('agent-b'), context)).toBe(false);
    expect(await env.authorizer.authorizeAttach(attach('agent-a', { assignedPath: '/sentinel/agent-b' }), context)).toBe(false);
    expect(await env.authorizer.authorizeAttach(attach('agent-a', { acceptedLogicals: ['admin.fame.fabric'] }), context)).toBe(false);
    expect(await env.authorizer.authorizeAttach(attach('agent-a'), { ...context, grantedScopes: ['other'] })).toBe(false);
    expect(await env.authorizer.authorizeAttach(attach('agent-a'), { authenticated: false })).toBe(false);
  });

  it('keeps honest tokens valid across a JWKS rotation during a run', async () => {
    await using env = await gatedSetup();
    const before = `Bearer ${await env.token()}`;
    expect(await env.authorizer.authenticate(before)).toBeDefined();
    env.ring.rotate(await generateJwtSigningKey());
    const after = `Bearer ${await env.token()}`;
    expect(await env.authorizer.authenticate(after)).toBeDefined();
    expect(await env.authorizer.authenticate(before)).toBeDefined();
    expect(env.server.requests).toHaveLength(2);
  });
});

describe('oauth2-gated: token-subject node identity', () => {
  it('matches the reference fingerprints', async () => {
    const { readVector } = await import('@naylence-tools/conformance');
    const vectors = readVector<{
      subject_fingerprints: { material: string; length: number; fingerprint: string }[];
      subject_fingerprint_len16_spec_client: string;
    }>('security/identity-policy-vectors.json');
    for (const v of vectors.subject_fingerprints) expect(subjectFingerprint(v.material, v.length)).toBe(v.fingerprint);
    expect(subjectFingerprint('spec-client', 16)).toBe(vectors.subject_fingerprint_len16_spec_client);
  });

  it('admits only ids starting with <fingerprint(sub, 8)>-, unless the token holds the trusted client scope', async () => {
    await using env = await gatedSetup({ enforceTokenSubjectNodeIdentity: true });
    const context = await env.authorizer.authenticateOrThrow(`Bearer ${await env.token({ sub: 'spec-client' })}`);
    expect(await env.authorizer.authorizeAttach(attach('zAfmX84b-node1'), context)).toBe(true);
    expect(env.authorizer.attachViolation(attach('other-node1'), context)).toMatch(/does not start with "zAfmX84b-"/);
    const trusted = await env.authorizer.authenticateOrThrow(
      `Bearer ${await env.token({ sub: 'spec-client', scope: 'node.connect node.trusted' })}`,
    );
    expect(await env.authorizer.authorizeAttach(attach('other-node1'), trusted)).toBe(true);
    // system_id binding is not waived by the trusted scope.
    const named = await env.authorizer.authenticateOrThrow(
      `Bearer ${await env.token({ scope: 'node.connect node.trusted', system_id: 'a' })}`,
    );
    expect(await env.authorizer.authorizeAttach(attach('b'), named)).toBe(false);
  });

  it('fails at construction without issuer or audience', () => {
    expect(() => oauth2Authorizer({ issuer: '', audience: AUDIENCE })).toThrow(/trusted issuer/);
    expect(() => oauth2Authorizer({ issuer: 'https://a', audience: '' })).toThrow(/audience/);
    expect(() => oauth2Authorizer({ issuer: 'not-a-url', audience: AUDIENCE })).toThrow(/FAME_JWKS_URL/);
  });
});

describe('oauth2-callback (HMAC reverse auth)', () => {
  const secret = 'reverse-auth-secret-0123456789abcdef';

  it('mints the reverse-auth grant auth and admits it; refuses tokens of another secret or kind', async () => {
    const authorizer = oauth2CallbackAuthorizer({ secret });
    const reverse = await authorizer.reverseAuthorization({ nodeId: 'child-1', instanceId: 'inst-1' });
    expect(reverse.auth).toEqual({
      type: 'BearerTokenHeaderAuthInjectionStrategy',
      tokenProvider: { type: 'StaticTokenProvider', token: reverse.token, expiresAt: reverse.expiresAt.toISOString() },
    });
    const context = await authorizer.authenticateOrThrow(`Bearer ${reverse.token}`);
    expect(context).toMatchObject({
      principal: 'reverse-auth-child-1',
      grantedScopes: ['node.connect'],
      authMethod: 'oauth2-callback',
      claims: { iss: 'reverse-auth.naylence.ai', aud: 'dev.naylence.ai', instance_id: 'inst-1', kid: 'hmac-reverse-auth-key' },
    });
    const other = oauth2CallbackAuthorizer({ secret: `${secret}-rotated` });
    expect(await other.authenticate(`Bearer ${reverse.token}`)).toBeUndefined();
    const ed = await createJwtIssuer({
      issuer: 'reverse-auth.naylence.ai',
      key: await generateJwtSigningKey(),
      audience: 'dev.naylence.ai',
    }).issue({ scope: 'node.connect' });
    expect(await authorizer.authenticate(`Bearer ${ed}`)).toBeUndefined();
    expect(() => oauth2CallbackAuthorizer({ secret: '' })).toThrow(/FAME_HMAC_SECRET/);
  });
});

describe('noop authorizer', () => {
  it('admits everything', async () => {
    const context = await noopAuthorizer().authenticate(undefined);
    expect(context).toMatchObject({ authenticated: true, authorized: true });
    expect(await noopAuthorizer().authorizeAttach!(attach('x'), context!)).toBe(true);
  });
});
