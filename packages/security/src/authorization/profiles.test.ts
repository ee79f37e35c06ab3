import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startJwksServer } from '../http-fixtures.test.util.js';
import { createJwtIssuer } from '../jwt/jwt-issuer.js';
import { JwtKeyRing } from '../jwt/signing-keys.js';
import { authorizationProfiles } from './profiles.js';

describe('authorization profiles', () => {
  it('fail closed at construction, naming the missing variable', () => {
    const env = {};
    expect(() => authorizationProfiles.oauth2({ env })).toThrow(/FAME_JWT_TRUSTED_ISSUER is required by the oauth2/);
    expect(() => authorizationProfiles['oauth2-gated']({ env: { FAME_JWT_TRUSTED_ISSUER: 'https://a' } })).toThrow(
      /FAME_JWT_AUDIENCE is required/,
    );
    expect(() => authorizationProfiles.oauth2({ env: { FAME_JWT_TRUSTED_ISSUER: 'issuer-name', FAME_JWT_AUDIENCE: 'x' } })).toThrow(
      /set FAME_JWKS_URL/,
    );
    expect(() =>
      authorizationProfiles.oauth2({ env: { FAME_JWT_TRUSTED_ISSUER: 'https://a', FAME_JWT_AUDIENCE: 'x', FAME_JWT_ALGORITHM: 'none' } }),
    ).toThrow(/FAME_JWT_ALGORITHM/);
    expect(() =>
      authorizationProfiles.oauth2({ env: { FAME_JWT_TRUSTED_ISSUER: 'https://a', FAME_JWT_AUDIENCE: 'x', FAME_JWT_ALGORITHM: 'HS256' } }),
    ).toThrow(/FAME_JWT_ALGORITHM/);
    expect(() =>
      authorizationProfiles['oauth2-gated']({
        env: { FAME_JWT_TRUSTED_ISSUER: 'https://a', FAME_JWT_AUDIENCE: 'x', FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY: 'perhaps' },
      }),
    ).toThrow(/FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY/);
    expect(() => authorizationProfiles['oauth2-callback']({ env })).toThrow(/FAME_HMAC_SECRET is required/);
    expect(() => authorizationProfiles['oauth2-callback']({ env: { FAME_HMAC_SECRET: 'short' } })).toThrow(
      /FAME_HMAC_SECRET must be at least 32 bytes/,
    );
    expect(() => authorizationProfiles.jwt({ env: { FAME_JWT_TRUSTED_ISSUER: 'https://a' } })).toThrow(/FAME_JWKS_URL is required/);
    expect(() => authorizationProfiles.jwt({ env: { FAME_JWT_TRUSTED_ISSUER: 'https://a', FAME_JWKS_URL: 'https://a/j' } })).toThrow(
      /physical path/,
    );
    expect(() =>
      authorizationProfiles['policy-localfile']({ env: { FAME_AUTH_POLICY_PATH: '/nonexistent/p.json', FAME_JWT_AUDIENCE: 'x' } }),
    ).toThrow(/cannot be read/);
    expect(authorizationProfiles.noop()).toBeDefined();
  });

  it('build a working gated authorizer from the gated example environment (EdDSA, default JWKS location)', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const env = { FAME_JWT_TRUSTED_ISSUER: server.issuer, FAME_JWT_AUDIENCE: 'fame.fabric', FAME_JWT_ALGORITHM: 'EdDSA' };
    const authorizer = authorizationProfiles['oauth2-gated']({ env });
    const token = await createJwtIssuer({ issuer: server.issuer, key: ring.current, audience: 'fame.fabric' }).issue({
      sub: 'c',
      scope: 'node.connect',
    });
    expect(await authorizer.authenticate(`Bearer ${token}`)).toMatchObject({ authenticated: true, principal: 'c' });
    // The reference default algorithm RS256 refuses EdDSA tokens (pitfall P2), as the reference does.
    const rsOnly = authorizationProfiles.oauth2({ env: { ...env, FAME_JWT_ALGORITHM: '' } });
    expect(await rsOnly.authenticate(`Bearer ${token}`)).toBeUndefined();
  });

  it('build jwt (audience = physical path) and policy-localfile from their variables', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const issue = (aud: string, claims: Record<string, unknown> = {}) =>
      createJwtIssuer({ issuer: server.issuer, key: ring.current, audience: aud }).issue(claims);
    const env = { FAME_JWT_TRUSTED_ISSUER: server.issuer, FAME_JWKS_URL: server.jwksUrl };
    const jwt = authorizationProfiles.jwt({ env, physicalPath: '/sentinel-a' });
    expect(await jwt.authenticate(`Bearer ${await issue('/sentinel-a', { system_id: 'c1' })}`)).toMatchObject({ authMethod: 'jwt' });
    expect(await jwt.authenticate(`Bearer ${await issue('/sentinel-b')}`)).toBeUndefined();

    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ rules: [{ effect: 'allow', action: 'Connect', scope: 'node.connect' }] }));
    const policy = authorizationProfiles['policy-localfile']({ env: { ...env, FAME_AUTH_POLICY_PATH: file }, physicalPath: '/sentinel-a' });
    const context = await policy.authenticate(`Bearer ${await issue('/sentinel-a', { scope: 'node.connect' })}`);
    expect(await policy.authorizeAttach!({ type: 'NodeAttach', systemId: 'n', instanceId: 'i' }, context!)).toBe(true);
  });
});
