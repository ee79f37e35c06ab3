import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  createJwksVerifier,
  createJwtIssuer,
  generateJwtSigningKey,
  JwtKeyRing,
  oauth2Authorizer,
  oauth2ClientCredentialsTokenProvider,
  oauth2PkceTokenProvider,
} from '@naylence/security';
import { listen, tokenServer } from './fixtures.test.util.js';
import { healthPlugin, jwksPlugin, oauth2TokenPlugin } from './index.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('token server over real HTTP', () => {
  it('issues tokens our client-credentials provider fetches and our JWKS verifier and oauth2 authorizer accept', async () => {
    const issuer = 'https://auth.example';
    await using server = await tokenServer({ issuer });
    const url = await listen(server.app);
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${url}/oauth/token`,
      clientId: 'spec-client',
      clientSecret: 'spec-secret-123',
      audience: 'fame.fabric',
    });
    const { value } = await provider.getToken();
    const verifier = createJwksVerifier({
      jwksUrl: `${url}/.well-known/jwks.json`,
      issuer,
      audience: 'fame.fabric',
      algorithms: ['EdDSA'],
    });
    await expect(verifier.verify(value)).resolves.toMatchObject({
      claims: { sub: 'spec-client', scope: 'node.connect', client_id: 'spec-client' },
    });
    const authorizer = oauth2Authorizer({
      issuer,
      audience: 'fame.fabric',
      jwksUrl: `${url}/.well-known/jwks.json`,
      algorithms: ['EdDSA'],
    });
    expect(await authorizer.authenticate(`Bearer ${value}`)).toMatchObject({
      authenticated: true,
      principal: 'spec-client',
      grantedScopes: ['node.connect'],
    });
    const wrong = oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${url}/oauth/token`,
      clientId: 'spec-client',
      clientSecret: 'nope',
      maxAttempts: 1,
    });
    await expect(wrong.getToken()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401 });
  });

  it('runs the PKCE provider in Node against our authorization endpoint with the developer login', async () => {
    const keys = await JwtKeyRing.generate();
    const app = Fastify();
    await using _close = { [Symbol.asyncDispose]: () => app.close() };
    const redirectUri = 'http://127.0.0.1:1/callback';
    await app.register(jwksPlugin, { jwks: () => keys.jwks() });
    await app.register(oauth2TokenPlugin, {
      issuer: createJwtIssuer({ issuer: 'https://dev.test', key: () => keys.current }),
      clients: [{ clientId: 'browser-app' }],
      pkce: { redirectUris: [redirectUri], allowPublicClients: true, devLogin: { username: 'alice', password: 'wonderland' } },
    });
    const base = await listen(app);
    let logins = 0;
    const provider = oauth2PkceTokenProvider({
      authorizeUrl: `${base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/token`,
      clientId: 'browser-app',
      redirectUri,
      audience: 'fame.fabric',
      // The browser's part: log in, then follow the authorization request to its redirect.
      authorize: async (authorizationUrl) => {
        logins++;
        const login = await fetch(`${base}/oauth/login`, {
          method: 'POST',
          headers: FORM,
          body: new URLSearchParams({ username: 'alice', password: 'wonderland', return_to: '/oauth/authorize' }),
          redirect: 'manual',
        });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const answer = await fetch(authorizationUrl, { headers: { cookie }, redirect: 'manual' });
        expect(answer.status).toBe(302);
        return answer.headers.get('location')!;
      },
    });
    const token = await provider.getToken();
    expect(await provider.getToken()).toBe(token);
    expect(logins).toBe(1);
    const verifier = createJwksVerifier({ jwksUrl: `${base}/.well-known/jwks.json`, issuer: 'https://dev.test', audience: 'fame.fabric' });
    await expect(verifier.verify(token.value)).resolves.toMatchObject({ claims: { sub: 'browser-app', scope: 'node.connect' } });
  });
});

describe('token endpoint refusals', () => {
  it('refuses wrong verifiers, other redirects, unregistered redirects, bad challenges and bodies', async () => {
    await using server = await tokenServer({ token: { pkce: { redirectUris: ['https://app.test/cb'] } } });
    const app = server.app;
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const authorize = (query: Record<string, string>) =>
      app.inject({
        url: `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'spec-client', redirect_uri: 'https://app.test/cb', code_challenge: challenge, ...query })}`,
      });
    expect((await authorize({ redirect_uri: 'https://evil.test/cb' })).json()).toMatchObject({ error: 'invalid_request' });
    expect((await authorize({ code_challenge: 'short' })).json()).toMatchObject({ error: 'invalid_request' });
    expect((await authorize({ response_type: 'token' })).json()).toMatchObject({ error: 'unsupported_response_type' });
    expect((await authorize({ client_id: 'nobody' })).statusCode).toBe(401);
    const code = () => authorize({}).then((r) => new URL(String(r.headers.location)).searchParams.get('code')!);
    const redeem = async (fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: FORM,
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'spec-client',
          client_secret: 'spec-secret-123',
          redirect_uri: 'https://app.test/cb',
          code_verifier: verifier,
          ...fields,
        }).toString(),
      });
    expect((await redeem({ code: await code(), code_verifier: 'x'.repeat(43) })).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem({ code: await code(), redirect_uri: 'https://app.test/other' })).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem({ code: 'made-up' })).json()).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem({ code: await code(), code_verifier: 'bad' })).json()).toMatchObject({ error: 'invalid_request' });
    // A public client is refused without the developer login.
    const noSecret = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: FORM,
      payload: `grant_type=authorization_code&client_id=spec-client&code=${await code()}&redirect_uri=https%3A%2F%2Fapp.test%2Fcb&code_verifier=${verifier}`,
    });
    expect(noSecret.statusCode).toBe(401);
    expect((await redeem({ code: await code() })).statusCode).toBe(200);
    // Hostile bodies: oversized, wrong types, unparsable JSON.
    expect(
      (await app.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: `grant_type=${'x'.repeat(70_000)}` })).statusCode,
    ).toBe(413);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { 'content-type': 'application/json' },
          payload: '{"grant_type": {"nested": true}}',
        })
      ).json(),
    ).toMatchObject({ error: 'invalid_request' });
    expect(
      (await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{' })).statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { authorization: 'Basic !!!', ...FORM },
          payload: 'grant_type=client_credentials',
        })
      ).json(),
    ).toMatchObject({ error: 'invalid_request' });
    // A secret with a colon survives Basic (split at the first colon).
    await using colon = await tokenServer({ clientSecret: 'a:b:c' });
    const basic = Buffer.from('spec-client:a:b:c').toString('base64');
    expect(
      (
        await colon.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { ...FORM, authorization: `Basic ${basic}` },
          payload: 'grant_type=client_credentials',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('limits requested audiences when told to, and refuses a login that redirects off-site', async () => {
    await using server = await tokenServer({
      token: { allowedAudiences: ['fame.fabric'], pkce: { redirectUris: ['https://a/cb'], devLogin: { username: 'u', password: 'p' } } },
    });
    const ask = (audience: string) =>
      server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: FORM,
        payload: `grant_type=client_credentials&client_id=spec-client&client_secret=spec-secret-123&audience=${audience}`,
      });
    expect((await ask('fame.fabric')).statusCode).toBe(200);
    expect((await ask('%2Fother')).json()).toMatchObject({ error: 'invalid_request' });
    const login = await server.app.inject({
      method: 'POST',
      url: '/oauth/login',
      headers: FORM,
      payload: 'username=u&password=p&return_to=//evil.test/x',
    });
    expect(login.headers.location).toBe('/oauth/authorize');
    const bad = await server.app.inject({ method: 'POST', url: '/oauth/login', headers: FORM, payload: 'username=u&password=wrong' });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const page = await server.app.inject({ url: '/oauth/login?return_to=%22%3E%3Cscript%3E' });
    expect(page.body).not.toContain('<script>');
  });

  it('refuses unsafe configurations at registration', async () => {
    const issuer = createJwtIssuer({ issuer: 'https://x', key: await generateJwtSigningKey() });
    const register = async (options: Parameters<typeof oauth2TokenPlugin>[1]) => {
      const app = Fastify();
      try {
        await app.register(oauth2TokenPlugin, options).ready();
      } finally {
        await app.close();
      }
    };
    await expect(register({ issuer, clients: [] })).rejects.toThrow(/at least one client/);
    await expect(register({ issuer, clients: [{ clientId: 'c', clientSecret: 's' }], pkce: { redirectUris: [] } })).rejects.toThrow(
      /redirect URI/,
    );
    await expect(
      register({ issuer, clients: [{ clientId: 'c' }], pkce: { redirectUris: ['https://a/cb'], allowPublicClients: true } }),
    ).rejects.toThrow(/public PKCE clients need the developer login/);
  });
});

describe('jwks and health plugins', () => {
  it('filter keys by type, mount under a prefix, and report readiness from the callback', async () => {
    const app = Fastify();
    await using _close = { [Symbol.asyncDispose]: () => app.close() };
    const ed = await generateJwtSigningKey();
    const rsa = await generateJwtSigningKey({ algorithm: 'RS256' });
    let attached = false;
    await app.register(jwksPlugin, { prefix: '/fame/welcome', jwks: { keys: [ed.publicJwk!, rsa.publicJwk!] }, keyTypes: ['okp'] });
    await app.register(healthPlugin, { ready: () => ({ ready: attached, detail: { attached } }), service: 'sentinel' });
    const base = await listen(app);
    const jwks = (await (await fetch(`${base}/fame/welcome/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([ed.kid]);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', service: 'sentinel' });
    const notReady = await fetch(`${base}/ready`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'not_ready', attached: false, service: 'sentinel' }]);
    attached = true;
    const ready = await fetch(`${base}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', attached: true, service: 'sentinel' }]);
  });
});
