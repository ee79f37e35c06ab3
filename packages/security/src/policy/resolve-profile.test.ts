/**
 * The security profile registry builds each profile's authorizer from the authorization
 * profiles it holds (seeded with `authorizationProfiles` on Node), and refuses to start when the
 * authorizer's variables are missing.
 */
import { resolveProfiles } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import type { OAuth2Authorizer } from '../authorization/oauth2-authorizer.js';
import type { OAuth2CallbackAuthorizer } from '../authorization/callback-authorizer.js';
import { noopAuthorizer } from '../authorization/noop-authorizer.js';
import { authorizationProfiles } from '../authorization/profiles.js';
import { startJwksServer } from '../http-fixtures.test.util.js';
import { createJwtIssuer } from '../jwt/jwt-issuer.js';
import { JwtKeyRing } from '../jwt/signing-keys.js';
import { createProfileRegistry, SECURITY_PROFILE_BASE_TYPE, BUILT_IN_SECURITY_PROFILES } from './profiles.js';
import { resolveSecurityProfile } from './resolve-profile.js';

const AUDIENCE = 'fame.fabric';
const HMAC_SECRET = 'reverse-auth-secret-0123456789abcdef';

describe('security profiles with their authorizers', () => {
  it('overlay, gated and their callback variants resolve with the real oauth2, oauth2-gated and oauth2-callback authorizers', async () => {
    const ring = await JwtKeyRing.generate();
    await using server = await startJwksServer(() => ring.jwks());
    const env = {
      FAME_JWT_TRUSTED_ISSUER: server.issuer,
      FAME_JWT_AUDIENCE: AUDIENCE,
      FAME_JWT_ALGORITHM: 'EdDSA',
      FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY: 'true',
      FAME_HMAC_SECRET: HMAC_SECRET,
    };
    const registry = createProfileRegistry();
    const resolve = (profile: string) => resolveSecurityProfile({ profile, env, registry });
    const token = await createJwtIssuer({ issuer: server.issuer, key: ring.current, audience: AUDIENCE }).issue({
      sub: 'client-a',
      scope: 'node.connect',
    });
    const attach = { type: 'NodeAttach' as const, systemId: 'some-node', instanceId: 'i' };

    // overlay → oauth2: the issuer's JWKS (fetched from <issuer>/.well-known/jwks.json) admits the token.
    const overlay = resolve('overlay');
    expect(overlay.authorizerProfile).toBe('oauth2');
    const context = await (overlay.authorizer as OAuth2Authorizer).authenticateOrThrow(`Bearer ${token}`);
    expect(context).toMatchObject({ principal: 'client-a', grantedScopes: ['node.connect'] });
    // oauth2 ignores the subject-identity variable; oauth2-gated enforces it.
    expect((overlay.authorizer as OAuth2Authorizer).attachViolation(attach, context)).toBeUndefined();

    const gated = resolve('gated');
    expect(gated.authorizerProfile).toBe('oauth2-gated');
    const gatedContext = await (gated.authorizer as OAuth2Authorizer).authenticateOrThrow(`Bearer ${token}`);
    expect((gated.authorizer as OAuth2Authorizer).attachViolation(attach, gatedContext)).toMatch(/does not start with/);
    expect(await gated.authorizer.authenticate('Bearer not-a-token')).toBeUndefined();

    // The callback variants run the HMAC reverse-auth authorizer: it admits the grants it mints.
    for (const profile of ['overlay-callback', 'gated-callback']) {
      const resolved = resolve(profile);
      expect(resolved.authorizerProfile).toBe('oauth2-callback');
      const callback = resolved.authorizer as OAuth2CallbackAuthorizer;
      const grant = await callback.reverseAuthorization({ nodeId: 'child-1', instanceId: 'inst-1' });
      expect(await callback.authenticate(`Bearer ${grant.token}`)).toMatchObject({ authMethod: 'oauth2-callback' });
      expect(await callback.authenticate(`Bearer ${token}`)).toBeUndefined();
    }

    // FAME_AUTHORIZATION_PROFILE picks another profile of the same registry, by any of its names.
    const viaAlias = resolveSecurityProfile({ profile: 'overlay', env: { ...env, FAME_AUTHORIZATION_PROFILE: 'OAuth2_Gated' }, registry });
    expect(viaAlias.authorizerProfile).toBe('oauth2-gated');
  });

  it('fail closed with a ConfigError naming the missing variable and the profile', () => {
    const registry = createProfileRegistry();
    const cases: [string, Record<string, string>, RegExp][] = [
      ['overlay', {}, /security profile "overlay", authorization profile "oauth2".*FAME_JWT_TRUSTED_ISSUER is required/],
      ['gated', { FAME_JWT_TRUSTED_ISSUER: 'https://auth.example' }, /"gated".*"oauth2-gated".*FAME_JWT_AUDIENCE is required/],
      ['overlay-callback', {}, /"overlay-callback".*"oauth2-callback".*FAME_HMAC_SECRET is required/],
      ['gated-callback', { FAME_HMAC_SECRET: 'short' }, /"gated-callback".*FAME_HMAC_SECRET must be at least 32 bytes/],
      // An empty FAME_AUTHORIZATION_PROFILE means oauth2, as in the reference, and oauth2 needs its variables.
      ['open', { FAME_AUTHORIZATION_PROFILE: '' }, /"open", authorization profile "oauth2".*FAME_JWT_TRUSTED_ISSUER is required/],
    ];
    for (const [profile, env, message] of cases) {
      expect(() => resolveSecurityProfile({ profile, env, registry })).toThrow(
        expect.objectContaining({ name: 'ConfigError', code: 'INVALID_CONFIG', message: expect.stringMatching(message) }),
      );
    }
    expect(() => resolveSecurityProfile({ profile: 'overlay', env: { FAME_AUTHORIZATION_PROFILE: 'open-sesame' }, registry })).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED', message: expect.stringMatching(/"open-sesame".*known: noop, jwt, oauth2/) }),
    );
    // A template naming an authorizer by type instead of by profile is refused, not ignored.
    registry.register(SECURITY_PROFILE_BASE_TYPE, 'typed', { ...BUILT_IN_SECURITY_PROFILES.open, authorizer: { type: 'NoopAuthorizer' } });
    expect(() => resolveSecurityProfile({ profile: 'typed', env: {}, registry })).toThrow(/authorizer "NoopAuthorizer" is not supported/);
  });

  it('a registry without the JWT profiles (as in the browser entry) refuses to build them, but can name them', () => {
    const registry = createProfileRegistry({ authorizers: { noop: () => noopAuthorizer() } });
    expect(registry.authorizerNames()).toEqual(['noop']);
    expect(() => resolveSecurityProfile({ profile: 'gated', env: {}, registry })).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED', message: expect.stringMatching(/"oauth2-gated" \(known: noop\)/) }),
    );
    expect(resolveSecurityProfile({ profile: 'gated', env: {}, registry, buildAuthorizer: false }).authorizerProfile).toBe('oauth2-gated');
  });

  it('one registry for authorization profiles: canonical names, aliases, no silent duplicates, plug-ins', () => {
    const registry = createProfileRegistry();
    expect(registry.authorizerNames()).toEqual(Object.keys(authorizationProfiles));
    expect(registry.authorizer('OIDC')).toBe(authorizationProfiles.oauth2);
    expect(registry.authorizer('reverse_auth')).toBe(authorizationProfiles['oauth2-callback']);
    expect(registry.authorizer(undefined)).toBe(authorizationProfiles.oauth2);
    expect(() => registry.registerAuthorizer('OAuth2_Gated', () => noopAuthorizer())).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_REGISTRATION', message: expect.stringMatching(/@naylence\/security/) }),
    );
    // A plug-in's profile, then a security profile that names it.
    let built: unknown;
    registry.registerAuthorizer('Team Policy', (context) => {
      built = context;
      return noopAuthorizer();
    });
    registry.register(SECURITY_PROFILE_BASE_TYPE, 'team', {
      ...BUILT_IN_SECURITY_PROFILES.open,
      authorizer: { type: 'AuthorizationProfile', profile: 'team_policy' },
    });
    const team = resolveSecurityProfile({ profile: 'team', env: { X: '1' }, registry, authorizerContext: { physicalPath: '/s' } });
    expect(team.authorizerProfile).toBe('team-policy');
    expect(built).toEqual({ env: { X: '1' }, physicalPath: '/s' });
  });

  it("agrees with core's fail-closed check on every built-in profile's authorizer and on every alias", () => {
    const registry = createProfileRegistry();
    for (const profile of Object.keys(BUILT_IN_SECURITY_PROFILES)) {
      for (const env of [
        {},
        { FAME_AUTHORIZATION_PROFILE: '' },
        { FAME_AUTHORIZATION_PROFILE: 'OIDC' },
        { FAME_AUTHORIZATION_PROFILE: 'reverse_auth' },
      ]) {
        const ours = resolveSecurityProfile({ profile, env, registry, buildAuthorizer: false }).authorizerProfile;
        // Core refuses what nothing enforces; a component enforcing everything shows what it asks for.
        const everything = [{ security: [profile], authorization: registry.authorizerNames() }];
        expect(resolveProfiles({ security: profile }, env, everything).authorization).toBe(ours);
      }
    }
  });
});
