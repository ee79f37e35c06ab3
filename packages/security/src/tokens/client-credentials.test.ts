import { describe, expect, it } from 'vitest';
import { closedPort, sendJson, startServer } from '../http-fixtures.test.util.js';
import { oauth2ClientCredentialsTokenProvider } from './client-credentials.js';
import { OAuth2TokenRequestError } from './token-response.js';

const jwtWithSub = (sub: string) => `e30.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.sig`;

describe('OAuth2 client-credentials token provider', () => {
  it('posts the credentials as a form and caches the token until shortly before it expires', async () => {
    let n = 0;
    await using server = await startServer((_req, res) =>
      sendJson(res, 200, { access_token: `tok-${++n}`, token_type: 'Bearer', expires_in: 3600 }),
    );
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: 'client-1',
      clientSecret: 's3cret:with&odd=chars',
      audience: 'fame.fabric',
    });
    const first = await provider.getToken();
    expect(first.value).toBe('tok-1');
    expect(first.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await provider.getToken()).value).toBe('tok-1');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/oauth/token' });
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 's3cret:with&odd=chars',
      scope: 'node.connect',
      audience: 'fame.fabric',
    });
  });

  it('refreshes a token that expires within the refresh margin, and shares one request between concurrent callers', async () => {
    let n = 0;
    await using server = await startServer((_req, res) => sendJson(res, 200, { access_token: `tok-${++n}`, expires_in: '20' }));
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: server.url,
      clientId: 'c',
      clientSecret: 's',
      refreshBeforeExpiryMs: 30_000,
    });
    const [a, b, c] = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(new Set([a.value, b.value, c.value])).toEqual(new Set(['tok-1']));
    expect((await provider.getToken()).value).toBe('tok-2'); // 20 s left < 30 s margin
    expect(server.requests).toHaveLength(2);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    const answers = [503, 429, 200];
    await using server = await startServer((_req, res) => {
      const status = answers.shift()!;
      sendJson(res, status, status === 200 ? { access_token: 'ok' } : { error: 'temporarily_unavailable' });
    });
    const provider = oauth2ClientCredentialsTokenProvider({ tokenUrl: server.url, clientId: 'c', clientSecret: 's', retryDelayMs: 1 });
    expect((await provider.getToken()).value).toBe('ok');
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once with AUTHENTICATION_FAILED on 401, naming the OAuth2 error but not the secret', async () => {
    await using server = await startServer((_req, res) =>
      sendJson(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' }),
    );
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: server.url,
      clientId: 'c',
      clientSecret: 'hunter2',
      retryDelayMs: 1,
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2TokenRequestError);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', status: 401 });
    expect((error as Error).message).toContain('invalid_client: Invalid client credentials');
    expect((error as Error).message).not.toContain('hunter2');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up with TOKEN_ENDPOINT_ERROR when the endpoint stays unreachable or answers garbage', async () => {
    const port = await closedPort();
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: `http://127.0.0.1:${port}/t`,
      clientId: 'c',
      clientSecret: 's',
      retryDelayMs: 1,
      maxAttempts: 2,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_ERROR' });
    await using server = await startServer((_req, res) => sendJson(res, 200, { token: 'no access_token member' }));
    const bad = oauth2ClientCredentialsTokenProvider({
      tokenUrl: server.url,
      clientId: 'c',
      clientSecret: 's',
      retryDelayMs: 1,
      maxAttempts: 1,
    });
    await expect(bad.getToken()).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_ERROR', message: expect.stringContaining('access_token') });
  });

  it('aborts a waiting caller, tells the token subject, and refuses missing settings', async () => {
    await using server = await startServer((_req, res) => sendJson(res, 200, { access_token: jwtWithSub('spec-client') }));
    const provider = oauth2ClientCredentialsTokenProvider({ tokenUrl: server.url, clientId: 'c', clientSecret: 's' });
    await expect(provider.getToken(AbortSignal.abort('stop'))).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await provider.getIdentity()).toEqual({ subject: 'spec-client' });
    expect(() => oauth2ClientCredentialsTokenProvider({ tokenUrl: '', clientId: 'c', clientSecret: 's' })).toThrow(/token URL/);
    expect(() => oauth2ClientCredentialsTokenProvider({ tokenUrl: server.url, clientId: '', clientSecret: 's' })).toThrow(/client id/);
    expect(() => oauth2ClientCredentialsTokenProvider({ tokenUrl: server.url, clientId: 'c', clientSecret: '' })).toThrow(/client secret/);
  });
});
