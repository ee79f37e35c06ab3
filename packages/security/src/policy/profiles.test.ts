import { describe, expect, it } from 'vitest';
import { DefaultSecurityPolicy } from './default-security-policy.js';
import { NoSecurityPolicy } from './no-security-policy.js';
import { BUILT_IN_SECURITY_PROFILES, SECURITY_PROFILE_BASE_TYPE, createProfileRegistry } from './profiles.js';
import { resolveSecurityProfile } from './resolve-profile.js';

describe('security profiles', () => {
  it('select the profile from FAME_SECURITY_PROFILE, default open, and the authorizer the reference way', () => {
    const registry = createProfileRegistry();
    const open = resolveSecurityProfile({ env: {}, registry });
    expect(open).toMatchObject({ profile: 'open', authorizer: 'noop' });
    expect(open.policy).toBeInstanceOf(NoSecurityPolicy);
    const table: [string, string][] = [
      ['overlay', 'oauth2'],
      ['overlay-callback', 'oauth2-callback'],
      ['gated', 'oauth2-gated'],
      ['gated-callback', 'oauth2-callback'],
    ];
    for (const [profile, authorizer] of table) {
      const resolved = resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: profile.toUpperCase() }, registry });
      expect(resolved).toMatchObject({ profile, authorizer });
      expect(resolved.policy).toBeInstanceOf(DefaultSecurityPolicy);
      expect(
        resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: profile, FAME_AUTHORIZATION_PROFILE: 'noop' }, registry }).authorizer,
      ).toBe('noop');
    }
    expect(resolveSecurityProfile({ profile: 'gated', env: { FAME_SECURITY_PROFILE: 'overlay' }, registry }).profile).toBe('gated');
  });

  it('fail closed: unknown profile, unavailable authorizer, unsupported encryption', () => {
    const registry = createProfileRegistry();
    expect(() => resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: 'strict-overlay' }, registry })).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED', message: expect.stringMatching(/strict-overlay.*known: open, overlay/) }),
    );
    expect(() => resolveSecurityProfile({ env: { FAME_SECURITY_PROFILE: 'overlay' }, registry, availableAuthorizers: ['noop'] })).toThrow(
      /needs authorizer profile "oauth2" \(FAME_AUTHORIZATION_PROFILE\), which is not available here \(available: noop\)/,
    );
    expect(
      resolveSecurityProfile({
        env: { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' },
        registry,
        availableAuthorizers: ['noop'],
      }).authorizer,
    ).toBe('noop');
    expect(() =>
      resolveSecurityProfile({
        env: { FAME_SECURITY_PROFILE: 'open', FAME_AUTHORIZATION_PROFILE: '' },
        registry,
        availableAuthorizers: ['noop'],
      }),
    ).toThrow(/authorizer profile ""/);
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
      env: { FAME_DEFAULT_ENCRYPTION_LEVEL: 'sealed' },
      registry,
      supports: { encryption: true },
    });
    expect((sealed.policy as DefaultSecurityPolicy).encryption.outbound.defaultLevel).toBe('sealed');
    expect(() =>
      resolveSecurityProfile({
        profile: 'sealed-overlay',
        env: { FAME_DEFAULT_ENCRYPTION_LEVEL: 'max' },
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
    expect(resolveSecurityProfile({ profile: 'needs-var', env: { MY_AUTH: 'Noop' }, registry }).authorizer).toBe('noop');
  });
});
