import { describe, expect, it } from 'vitest';
import { sendJson, startServer } from '../http-fixtures.test.util.js';
import { applyAuthInjection, authInjectionFromConfig, webSocketDialerAuth } from './auth-injection.js';
import { createPkcePair, pkceChallenge } from './pkce.js';
import { tokenProviderFromConfig } from './token-provider-config.js';

const STATIC = { type: 'StaticTokenProvider', token: 'tok' };
const base = { url: 'wss://h/fame/v1/attach/ws/downstream?x=1#frag', headers: { 'x-a': '1' }, protocols: [] };

describe('auth injection strategies', () => {
  it('read every alias and both casings of their options', async () => {
    const cases: [Record<string, unknown>, object][] = [
      [{ type: 'NoAuth' }, base],
      [{ type: 'NoAuthInjectionStrategy' }, base],
      [
        { type: 'BearerTokenHeaderAuth', tokenProvider: STATIC },
        { ...base, headers: { 'x-a': '1', Authorization: 'Bearer tok' } },
      ],
      [
        { type: 'BearerTokenHeaderAuthStrategy', token_provider: STATIC, header_name: 'X-Token' },
        { ...base, headers: { 'x-a': '1', 'X-Token': 'Bearer tok' } },
      ],
      [
        { type: 'QueryParamAuthInjectionStrategy', token_provider: STATIC },
        { ...base, url: 'wss://h/fame/v1/attach/ws/downstream?x=1&token=tok#frag' },
      ],
      [
        { type: 'QueryParamAuth', tokenProvider: STATIC, paramName: 'jwt' },
        { ...base, url: 'wss://h/fame/v1/attach/ws/downstream?x=1&jwt=tok#frag' },
      ],
      [
        { type: 'WebSocketSubprotocolAuth', token_provider: STATIC },
        { ...base, protocols: ['bearer', 'tok'] },
      ],
      [
        { type: 'WebSocketSubprotocolAuthInjectionStrategy', tokenProvider: STATIC, subprotocol_prefix: 'Bearer' },
        { ...base, protocols: ['Bearer', 'tok'] },
      ],
    ];
    for (const [config, expected] of cases) {
      expect(await applyAuthInjection(authInjectionFromConfig(config), base)).toEqual(expected);
    }
    expect(() => authInjectionFromConfig({ type: 'Kerberos' })).toThrow(/unknown auth strategy/);
    expect(() => authInjectionFromConfig({ type: 'BearerTokenHeaderAuth' })).toThrow(/tokenProvider is required/);
  });

  it('map onto WebSocketDialer options, refusing what the dialer cannot send', () => {
    const sub = authInjectionFromConfig({ type: 'WebSocketSubprotocolAuth', tokenProvider: STATIC });
    expect(webSocketDialerAuth(sub)).toMatchObject({ authMode: 'subprotocol' });
    expect(webSocketDialerAuth(authInjectionFromConfig({ type: 'BearerTokenHeaderAuth', tokenProvider: STATIC }))).toMatchObject({
      authMode: 'header',
    });
    expect(webSocketDialerAuth(authInjectionFromConfig({ type: 'QueryParamAuth', tokenProvider: STATIC, param_name: 'k' }))).toMatchObject({
      authMode: 'query',
      queryParam: 'k',
    });
    expect(webSocketDialerAuth(authInjectionFromConfig({ type: 'NoAuth' }))).toEqual({});
    expect(() =>
      webSocketDialerAuth(authInjectionFromConfig({ type: 'BearerTokenHeaderAuth', tokenProvider: STATIC, headerName: 'X-T' })),
    ).toThrow(/only the Authorization header/);
  });

  it('fetch the token on every application, so a reconnect gets a fresh one', async () => {
    let n = 0;
    await using server = await startServer((_req, res) => sendJson(res, 200, { access_token: `t${++n}`, expires_in: 1 }));
    const auth = authInjectionFromConfig(
      {
        type: 'BearerTokenHeaderAuthInjectionStrategy',
        token_provider: {
          type: 'OAuth2ClientCredentialsTokenProvider',
          token_url: server.url,
          client_id: 'c',
          client_secret: 'env://MY_SECRET',
        },
      },
      { env: { MY_SECRET: 'from-env' } },
    );
    expect((await applyAuthInjection(auth, base)).headers.Authorization).toBe('Bearer t1');
    expect((await applyAuthInjection(auth, base)).headers.Authorization).toBe('Bearer t2');
    expect(new URLSearchParams(server.requests[0]!.body).get('client_secret')).toBe('from-env');
  });
});

describe('token provider configs', () => {
  it('build static, shared-secret, none and client-credentials providers; secrets from the environment', async () => {
    expect(
      await tokenProviderFromConfig({ type: 'StaticTokenProvider', token: 'a', expires_at: '2030-01-01T00:00:00Z' })!.getToken(),
    ).toEqual({
      value: 'a',
      expiresAt: new Date('2030-01-01T00:00:00Z'),
    });
    const env = { S: 'shh' };
    expect(
      (
        await tokenProviderFromConfig(
          { type: 'SharedSecretTokenProvider', credential_provider: { type: 'EnvCredentialProvider', var_name: 'S' } },
          { env },
        )!.getToken()
      ).value,
    ).toBe('shh');
    expect(
      (
        await tokenProviderFromConfig({
          type: 'SharedSecretTokenProvider',
          credentialProvider: { type: 'StaticCredentialProvider', credentialValue: 'v' },
        })!.getToken()
      ).value,
    ).toBe('v');
    expect(tokenProviderFromConfig({ type: 'NoneTokenProvider' })).toBeUndefined();
    expect(() => tokenProviderFromConfig({ type: 'SharedSecretTokenProvider', credential_provider: 'env://MISSING' }, { env })).toThrow(
      /MISSING is not set/,
    );
    expect(() => tokenProviderFromConfig({ type: 'SharedSecretTokenProvider', credential_provider: 'secret://vault/x' })).toThrow(
      /not supported/,
    );
    expect(() =>
      tokenProviderFromConfig({ type: 'SharedSecretTokenProvider', credential_provider: { type: 'PromptCredentialProvider' } }),
    ).toThrow(/unsupported credential provider/);
    expect(() => tokenProviderFromConfig({ type: 'OAuth2ClientCredentialsTokenProvider', client_id: 'c', client_secret: 's' })).toThrow(
      /tokenUrl is required/,
    );
    expect(() => tokenProviderFromConfig({ type: 'Magic' })).toThrow(/unknown token provider/);
  });
});

describe('PKCE pairs', () => {
  it('match RFC 7636 appendix B and stay within the unreserved alphabet', async () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const pair = createPkcePair(128);
    expect(pair.verifier).toMatch(/^[A-Za-z0-9\-._~]{128}$/);
    expect(pair.challenge).toBe(pkceChallenge(pair.verifier));
    expect(() => createPkcePair(42)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
