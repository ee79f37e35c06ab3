import { describe, expect, it } from 'vitest';
import { bearerGrantAuth, callbackCredentials, selectCallbackGrant } from './grants.js';
import { normalizePublicUrl, publicUrlFromEnv } from './public-url.js';

const grant = { type: 'HttpConnectionGrant', url: 'http://agent:8101/fame/v1/ingress/upstream', auth: { type: 'NoAuth' } } as const;

describe('callback grants', () => {
  it('picks the first HttpConnectionGrant with an http(s) URL', () => {
    const grants = [
      { type: 'WebSocketConnectionGrant', url: 'ws://agent/x' },
      { type: 'HttpConnectionGrant', url: 'ftp://agent/x' },
      { type: 'HttpConnectionGrant', url: 'not a url' },
      grant,
    ];
    expect(selectCallbackGrant(grants)?.url.href).toBe(grant.url);
    expect(selectCallbackGrant(undefined)).toBeUndefined();
    expect(selectCallbackGrant([{ type: 'WebSocketConnectionGrant', url: 'ws://agent/x' }])).toBeUndefined();
  });

  it('reads NoAuth and BearerTokenHeaderAuth with a StaticTokenProvider in both casings, and refuses the rest', async () => {
    expect(callbackCredentials(undefined)).toEqual({ headerName: 'Authorization' });
    expect(callbackCredentials({ type: 'NoAuthInjectionStrategy' })).toEqual({ headerName: 'Authorization' });
    for (const auth of [
      { type: 'BearerTokenHeaderAuth', tokenProvider: { type: 'StaticTokenProvider', token: 't1' } },
      {
        type: 'BearerTokenHeaderAuthInjectionStrategy',
        token_provider: { type: 'StaticTokenProvider', token: 't1', expires_at: '2030-01-01T00:00:00Z' },
      },
    ]) {
      const credentials = callbackCredentials(auth);
      expect(await credentials?.tokenProvider?.getToken()).toMatchObject({ value: 't1' });
    }
    expect(
      callbackCredentials({
        type: 'BearerTokenHeaderAuth',
        header_name: 'X-Token',
        tokenProvider: { type: 'StaticTokenProvider', token: 't' },
      })?.headerName,
    ).toBe('X-Token');
    expect(
      callbackCredentials({ type: 'BearerTokenHeaderAuth', tokenProvider: { type: 'OAuth2ClientCredentialsTokenProvider' } }),
    ).toBeUndefined();
    expect(callbackCredentials({ type: 'QueryParamAuth' })).toBeUndefined();
    expect(callbackCredentials('NoAuth')).toBeUndefined();
    const resolved = callbackCredentials({ type: 'Custom' }, () => ({ getToken: () => Promise.resolve({ value: 'x' }) }));
    expect(await resolved?.tokenProvider?.getToken()).toEqual({ value: 'x' });
  });

  it('advertises a static bearer token with its expiry', () => {
    expect(bearerGrantAuth({ value: 'rev', expiresAt: new Date('2030-01-01T00:00:00Z') })).toEqual({
      type: 'BearerTokenHeaderAuth',
      tokenProvider: { type: 'StaticTokenProvider', token: 'rev', expiresAt: '2030-01-01T00:00:00.000Z' },
    });
  });
});

describe('public URL', () => {
  it('reads FAME_PUBLIC_URL and strips the trailing slash', () => {
    expect(publicUrlFromEnv({ FAME_PUBLIC_URL: 'https://agent.example/edge/' })).toBe('https://agent.example/edge');
    expect(publicUrlFromEnv({ FAME_PUBLIC_URL: ' ' })).toBeUndefined();
    expect(publicUrlFromEnv({})).toBeUndefined();
  });

  it('refuses URLs it cannot append routes to', () => {
    expect(() => normalizePublicUrl('ws://agent')).toThrow(/http: or https:/);
    expect(() => normalizePublicUrl('http://agent/?q=1')).toThrow(/query/);
    expect(() => publicUrlFromEnv({ FAME_PUBLIC_URL: 'agent:8101' })).toThrow(/FAME_PUBLIC_URL/);
  });
});
