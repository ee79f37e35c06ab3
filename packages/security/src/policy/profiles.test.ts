import { describe, expect, it } from 'vitest';
import { DefaultSecurityPolicy } from './default-security-policy.js';
import { NoSecurityPolicy } from './no-security-policy.js';
import { BUILT_IN_SECURITY_PROFILES, SECURITY_PROFILE_BASE_TYPE, createProfileRegistry } from './profiles.js';
import { resolveSecurityProfile } from './resolve-profile.js';

describe('security profiles', () => {
  it('select the profile from FAME_SECURITY_PROFILE, default open, and the authorizer the reference way', async () => {
    const registry = createProfileRegistry();
    const open = resolveSecurityProfile({ env: {}, registry });
    expect(open).toMatchObject({ profile: 'open', authorizerProfile: 'noop' });
    expect(open.authorizer).toBeDefined();
    expect(open.policy).toBeInstanceOf(NoSecurityPolicy);
    const table: [string, string][] = [
      ['overlay', 'oauth2'],
      ['overlay-callback', 'oauth2-callback'],
      ['gated', 'oauth2-gated'],
      ['gated-callback', 'oauth2-callback'],
    ];
    for (const [profile, authorizerProfile] of table) {
      // A node that accepts no links names the authorizer without building it (no FAME_JWT_* needed).
      const resolved = resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: profile.toUpperCase() }, registry, buildAuthorizer: false });
      expect(resolved).toMatchObject({ profile, authorizerProfile, authorizer: undefined });
      expect(resolved.policy).toBeInstanceOf(DefaultSecurityPolicy);
      const noop = resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: profile, FAME_AUTHORIZATION_PROFILE: 'No_Op' }, registry });
      expect(noop.authorizerProfile).toBe('noop');
      expect(await noop.authorizer.authenticate(undefined)).toMatchObject({ authenticated: true, authMethod: 'noop' });
    }
    expect(
      resolveSecurityProfile({ profile: 'gated', env: { FAME_SECURITY_PROFILE: 'overlay' }, registry, buildAuthorizer: false }).profile,
    ).toBe('gated');
  });

  it('fail closed: unknown profile, unsupported encryption', () => {
    const registry = createProfileRegistry();
    expect(() => resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: 'strict-overlay' }, registry })).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED', message: expect.stringMatching(/strict-overlay.*known: open, overlay/) }),
    );
    // A plug-in profile that turns encryption on, with FAME_DEFAULT_ENCRYPTION_LEVEL in its template.
    registry.register(SECURITY_PROFILE_BASE_TYPE, 'sealed-overlay', {
      ...BUILT_IN_SECURITY_PROFILES.overlay,
      security_policy: {
        type: 'DefaultSecurityPolicy',
        signing: {},
        encryption: { outbound: { default_level: '${env:FAME_DEFAULT_ENCRYPTION_LEVEL:channel}' } },
      },
    });
    expect(() => resolveSecurityProfile({ profile: 'sealed-overlay', env: {}, registry })).toThrow(/requires envelope encryption/);
    const sealed = resolveSecurityProfile({
      profile: 'sealed-overlay',
      env: { FAME_DEFAULT_ENCRYPTION_LEVEL: 'sealed', FAME_AUTHORIZATION_PROFILE: 'noop' },
      registry,
      supports: { encryption: true },
    });
    expect((sealed.policy as DefaultSecurityPolicy).encryption.outbound.defaultLevel).toBe('sealed');
    expect(() =>
      resolveSecurityProfile({
        profile: 'sealed-overlay',
        env: { FAME_DEFAULT_ENCRYPTION_LEVEL: 'max', FAME_AUTHORIZATION_PROFILE: 'noop' },
        registry,
        supports: { encryption: true },
      }),
    ).toThrow(/defaultLevel must be one of plaintext, channel, sealed/);
  });

  it('refuse silent duplicate registrations', () => {
    const registry = createProfileRegistry();
    expect(() => registry.register(SECURITY_PROFILE_BASE_TYPE, 'Overlay', {})).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_REGISTRATION' }),
    );
    registry.register(SECURITY_PROFILE_BASE_TYPE, 'overlay', BUILT_IN_SECURITY_PROFILES.gated!, { allowOverride: true, source: 'test' });
    expect(registry.get(SECURITY_PROFILE_BASE_TYPE, 'overlay')).toEqual(BUILT_IN_SECURITY_PROFILES.gated);
    expect(registry.names(SECURITY_PROFILE_BASE_TYPE)).toEqual(['open', 'overlay', 'overlay-callback', 'gated', 'gated-callback']);
  });

  it('require a set variable without default', () => {
    const registry = createProfileRegistry();
    registry.register(SECURITY_PROFILE_BASE_TYPE, 'needs-var', {
      ...BUILT_IN_SECURITY_PROFILES.open,
      authorizer: { type: 'AuthorizationProfile', profile: '${env:MY_AUTH}' },
    });
    expect(() => resolveSecurityProfile({ profile: 'needs-var', env: {}, registry })).toThrow(/MY_AUTH is required/);
    expect(resolveSecurityProfile({ profile: 'needs-var', env: { MY_AUTH: 'Noop' }, registry }).authorizerProfile).toBe('noop');
  });
});
