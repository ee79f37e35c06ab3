import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { canonicalAuthorizationProfile, resolveProfiles } from './profiles.js';

describe('resolveProfiles (fail closed)', () => {
  it('defaults to what this build enforces: open, noop, the node default admission', () => {
    expect(resolveProfiles()).toEqual({ security: 'open', authorization: 'noop', admission: undefined });
    expect(
      resolveProfiles({}, { FAME_SECURITY_PROFILE: ' OPEN ', FAME_AUTHORIZATION_PROFILE: 'no_op', FAME_ADMISSION_PROFILE: 'none' }),
    ).toEqual({ security: 'open', authorization: 'noop', admission: 'none' });
    for (const admission of ['direct', 'open', 'noop', 'none']) expect(resolveProfiles({ admission }).admission).toBe(admission);
  });

  it.each([
    [{ FAME_SECURITY_PROFILE: 'gated' }, 'FAME_SECURITY_PROFILE'],
    [{ FAME_SECURITY_PROFILE: 'overlay' }, 'FAME_SECURITY_PROFILE'],
    [{ FAME_SECURITY_PROFILE: 'strict-overlay' }, 'FAME_SECURITY_PROFILE'],
    [{ FAME_SECURITY_PROFILE: 'no-such-profile' }, 'FAME_SECURITY_PROFILE'],
    [{ FAME_AUTHORIZATION_PROFILE: 'jwt' }, 'FAME_AUTHORIZATION_PROFILE'],
    [{ FAME_AUTHORIZATION_PROFILE: 'oauth2_gated' }, 'FAME_AUTHORIZATION_PROFILE'],
    // Set but blank: the reference runs oauth2, so this node must not run noop.
    [{ FAME_AUTHORIZATION_PROFILE: ' ' }, 'FAME_AUTHORIZATION_PROFILE'],
    [{ FAME_ADMISSION_PROFILE: 'welcome' }, 'FAME_ADMISSION_PROFILE'],
    [{ FAME_ADMISSION_PROFILE: 'direct-http' }, 'FAME_ADMISSION_PROFILE'],
    [{ FAME_ADMISSION_CLIENT_ID: 'agent-1' }, 'FAME_ADMISSION_CLIENT_ID'],
    [{ FAME_ADMISSION_PROFILE: 'direct', FAME_ADMISSION_TOKEN_URL: 'https://idp/token' }, 'FAME_ADMISSION_TOKEN_URL'],
  ])('refuses %j, naming %s', (env, setting) => {
    let error: unknown;
    try {
      resolveProfiles({}, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', setting, message: expect.stringContaining(setting) });
  });

  it('refuses an option it cannot enforce, and an option that contradicts the environment', () => {
    expect(() => resolveProfiles({ security: 'gated' })).toThrow(/FAME_SECURITY_PROFILE=gated: this node cannot enforce/);
    expect(() => resolveProfiles({ security: 'open' }, { FAME_SECURITY_PROFILE: 'gated' })).toThrow(
      /contradicts FAME_SECURITY_PROFILE=gated/,
    );
    expect(resolveProfiles({ security: 'open' }, { FAME_SECURITY_PROFILE: 'open' }).security).toBe('open');
  });

  it('accepts what a security component declares it enforces', () => {
    const enforced = [{ security: ['gated'], authorization: ['oauth2-gated'] }];
    expect(resolveProfiles({}, { FAME_SECURITY_PROFILE: 'gated' }, enforced)).toEqual({
      security: 'gated',
      authorization: 'oauth2-gated',
      admission: undefined,
    });
    expect(() => resolveProfiles({}, { FAME_SECURITY_PROFILE: 'gated' }, [{ security: ['gated'] }])).toThrow(
      /FAME_AUTHORIZATION_PROFILE=oauth2-gated/,
    );
  });

  it('names authorization profiles the reference way, with one alias table', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'oauth2'],
      ['', 'oauth2'],
      ['OIDC', 'oauth2'],
      ['JWKS', 'jwt'],
      ['default', 'jwt'],
      ['Reverse_Auth', 'oauth2-callback'],
      ['policy', 'policy-localfile'],
      ['No Op', 'noop'],
      [' Open_Sesame ', 'open-sesame'],
    ];
    for (const [name, canonical] of cases) expect(canonicalAuthorizationProfile(name)).toBe(canonical);
  });
});
