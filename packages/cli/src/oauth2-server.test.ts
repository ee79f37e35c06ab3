import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwksVerifier, generateJwtSigningKey, oauth2Authorizer, oauth2ClientCredentialsTokenProvider } from '@naylence/security';
import { recordingIo } from './fixtures.test.util.js';
import { main } from './main.js';
import { OAUTH2_SERVER_USAGE, oauth2ServerOptionsFromEnv } from './oauth2-server-command.js';
import { runOAuth2Server } from './oauth2-server.js';

const ENV = { FAME_JWT_CLIENT_ID: 'dev-client', FAME_JWT_CLIENT_SECRET: 'dev-secret', FAME_LOG_LEVEL: 'OFF' };

describe('naylence oauth2-server', () => {
  it('reads the reference dev server environment, with our safer defaults', () => {
    const options = oauth2ServerOptionsFromEnv({
      ...ENV,
      APP_PORT: '9100',
      FAME_JWT_ALLOWED_SCOPES: 'node.connect, node.trusted',
      FAME_JWT_ALGORITHM: 'rs256',
    });
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 9100,
      clientId: 'dev-client',
      clientSecret: 'dev-secret',
      issuer: 'https://auth.fame.fabric',
      audience: 'fame-fabric',
      algorithm: 'RS256',
      allowedScopes: ['node.connect', 'node.trusted'],
    });
    expect(options.pkce).toBeUndefined();
    expect(oauth2ServerOptionsFromEnv({ ...ENV, APP_HOST: '0.0.0.0' }, ['--port', '0']).port).toBe(0);
    expect(() => oauth2ServerOptionsFromEnv({})).toThrow(/FAME_JWT_CLIENT_ID and FAME_JWT_CLIENT_SECRET must be set/);
    expect(() => oauth2ServerOptionsFromEnv({ ...ENV, FAME_JWT_ALGORITHM: 'HS256' })).toThrow(/key pair/);
    expect(() => oauth2ServerOptionsFromEnv({ ...ENV, FAME_OAUTH_ENABLE_PKCE: 'true' })).toThrow(/FAME_OAUTH_REDIRECT_URIS/);
    expect(() =>
      oauth2ServerOptionsFromEnv({
        ...ENV,
        FAME_OAUTH_ENABLE_PKCE: 'true',
        FAME_OAUTH_REDIRECT_URIS: 'https://a/cb',
        FAME_OAUTH_ENABLE_DEV_LOGIN: 'true',
      }),
    ).toThrow(/FAME_OAUTH_DEV_USERNAME/);
    const pkce = oauth2ServerOptionsFromEnv({
      ...ENV,
      FAME_OAUTH_ENABLE_PKCE: 'yes',
      FAME_OAUTH_REDIRECT_URIS: 'https://a/cb https://b/cb',
      FAME_OAUTH_DEV_USERNAME: 'u',
      FAME_OAUTH_DEV_PASSWORD: 'p',
      FAME_OAUTH_ALLOW_PUBLIC_CLIENTS: 'true',
    }).pkce;
    expect(pkce).toMatchObject({
      redirectUris: ['https://a/cb', 'https://b/cb'],
      allowPublicClients: true,
      devLogin: { username: 'u', password: 'p' },
    });
  });

  it('runs from the command line: READY, tokens our verifier and authorizer accept, graceful stop', async () => {
    const stop = new AbortController();
    const r = recordingIo(stop.signal);
    const env = { ...ENV, FAME_JWT_ISSUER: 'https://auth.dev.test', FAME_JWT_AUDIENCE: 'fame.fabric' };
    const exit = main(['oauth2-server', '--port', '0'], env, r.io);
    const url = await Promise.race([r.ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${r.stderr()}`)))]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.stdout()).toContain('(development only)');
    try {
      const provider = oauth2ClientCredentialsTokenProvider({
        tokenUrl: `${url}/oauth/token`,
        clientId: 'dev-client',
        clientSecret: 'dev-secret',
      });
      const { value } = await provider.getToken();
      expect(decodeProtectedHeader(value)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
      expect(decodeJwt(value)).toMatchObject({
        iss: 'https://auth.dev.test',
        aud: 'fame.fabric',
        sub: 'dev-client',
        scope: 'node.connect',
      });
      const authorizer = oauth2Authorizer({
        issuer: 'https://auth.dev.test',
        audience: 'fame.fabric',
        jwksUrl: `${url}/.well-known/jwks.json`,
        algorithms: ['EdDSA'],
      });
      expect(await authorizer.authenticate(`Bearer ${value}`)).toMatchObject({ principal: 'dev-client' });
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      stop.abort('test done');
    }
    expect(await exit).toBe(0);
    expect(r.stdout()).toContain('stopped\n');
  });

  it('prints help, and exits 2 on bad usage and 1 when the port is taken', async () => {
    const never = new AbortController().signal;
    let r = recordingIo(never);
    expect(await main(['oauth2-server', '--help'], {}, r.io)).toBe(0);
    expect(r.stdout()).toBe(OAUTH2_SERVER_USAGE);
    for (const name of [
      'APP_HOST',
      'APP_PORT',
      'FAME_JWT_CLIENT_ID',
      'FAME_JWT_CLIENT_SECRET',
      'FAME_JWT_ISSUER',
      'FAME_JWT_AUDIENCE',
      'FAME_JWT_ALGORITHM',
    ])
      expect(OAUTH2_SERVER_USAGE).toContain(name);
    r = recordingIo(never);
    expect(await main(['oauth2-server'], {}, r.io)).toBe(2);
    expect(r.stderr()).toContain('FAME_JWT_CLIENT_ID');
    r = recordingIo(never);
    expect(await main(['oauth2-server', '--port', 'x'], ENV, r.io)).toBe(2);
    await using taken = await runOAuth2Server({ clientId: 'a', clientSecret: 'b', port: 0 });
    r = recordingIo(never);
    expect(await main(['oauth2-server', '--port', String(taken.port)], ENV, r.io)).toBe(1);
    expect(r.stderr()).toContain('could not start');
  });

  it('signs with a configured PKCS#8 key (tokens survive a restart) and rotates without a restart', async () => {
    const { exportPKCS8 } = await import('jose');
    const key = await generateJwtSigningKey({ kid: 'stable-1' });
    const pem = await exportPKCS8(key.privateKey as CryptoKey);
    let token: string;
    {
      await using first = await runOAuth2Server({
        clientId: 'a',
        clientSecret: 'b',
        port: 0,
        signingKeyPem: pem,
        signingKeyId: 'stable-1',
      });
      token = (await oauth2ClientCredentialsTokenProvider({ tokenUrl: first.tokenUrl, clientId: 'a', clientSecret: 'b' }).getToken()).value;
    }
    await using second = await runOAuth2Server({ clientId: 'a', clientSecret: 'b', port: 0, signingKeyPem: pem, signingKeyId: 'stable-1' });
    const verifier = createJwksVerifier({ jwksUrl: second.jwksUrl, issuer: second.issuer, refetchCooldownMs: 0 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ header: { kid: 'stable-1' } });
    second.keys.rotate(await generateJwtSigningKey({ kid: 'stable-2' }));
    const next = (await oauth2ClientCredentialsTokenProvider({ tokenUrl: second.tokenUrl, clientId: 'a', clientSecret: 'b' }).getToken())
      .value;
    await expect(verifier.verify(next)).resolves.toMatchObject({ header: { kid: 'stable-2' } });
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });
});
