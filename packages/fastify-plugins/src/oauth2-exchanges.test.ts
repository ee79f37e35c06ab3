import { decodeJwt, decodeProtectedHeader } from 'jose';
import { readVector } from '@naylence-tools/conformance';
import { describe, expect, it } from 'vitest';
import { listen, tokenServer } from './fixtures.test.util.js';

interface Exchange {
  name: string;
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: unknown };
}
const vector = readVector<{ env: Record<string, string>; exchanges: Exchange[] }>('security/oauth2-server-exchanges.json');
const byName = new Map(vector.exchanges.map((e) => [e.name, e]));

/** The keys of `value` and, for arrays of objects, of their first element: the "shape". */
const keysOf = (value: unknown) => Object.keys(value as object).sort();

async function replay(app: Awaited<ReturnType<typeof tokenServer>>['app'], exchange: Exchange) {
  return app.inject({
    method: exchange.request.method,
    url: exchange.request.path,
    headers: exchange.request.headers,
    ...(exchange.request.body !== null && { payload: exchange.request.body }),
  });
}

/** Our answer matches the reference's: status, the headers it set, body shape, token claims. */
function expectEquivalent(
  exchange: Exchange,
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  kid: string,
): void {
  expect(response.statusCode, exchange.name).toBe(exchange.response.status);
  for (const [name, value] of Object.entries(exchange.response.headers)) {
    if (name === 'location') continue;
    expect(response.headers[name], `${exchange.name}: ${name}`).toBe(value);
  }
  if (exchange.response.status === 302) return;
  const body = JSON.parse(response.body) as Record<string, unknown>;
  const expected = exchange.response.body as Record<string, unknown>;
  expect(keysOf(body), exchange.name).toEqual(keysOf(expected));
  if (typeof expected.access_token !== 'string') {
    if (exchange.name !== 'jwks') expect(body).toEqual(expected);
    return;
  }
  expect({ ...body, access_token: 'x' }).toEqual({ ...expected, access_token: 'x' });
  const token = body.access_token as string;
  expect(decodeProtectedHeader(token)).toEqual({ ...decodeProtectedHeader(expected.access_token), kid });
  const ours = decodeJwt(token);
  const theirs = decodeJwt(expected.access_token);
  expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  const { iat, nbf, exp, ...claims } = ours;
  const { iat: _i, nbf: _n, exp: _e, ...theirClaims } = theirs;
  expect(claims).toEqual(theirClaims);
  expect([nbf, exp! - iat!]).toEqual([iat, 3600]);
}

describe('the reference OAuth2 server exchanges, answered by our plugins (fastify.inject)', () => {
  const env = vector.env;
  const options = {
    issuer: env.FAME_JWT_ISSUER!,
    clientId: env.FAME_JWT_CLIENT_ID!,
    clientSecret: env.FAME_JWT_CLIENT_SECRET!,
    audience: env.FAME_JWT_AUDIENCE!,
    scopes: env.FAME_JWT_ALLOWED_SCOPES!.split(' '),
  };

  it('answers discovery, JWKS, client credentials (post, Basic, JSON), errors and health equivalently', async () => {
    await using server = await tokenServer(options);
    const kid = server.keys.current.kid;
    for (const name of [
      'openid_configuration',
      'jwks',
      'token_client_credentials_post',
      'token_client_credentials_basic',
      'token_json_body',
      'token_wrong_secret',
      'token_unknown_client',
      'token_missing_client_id',
      'token_unsupported_grant',
      'token_client_credentials_without_secret',
      'health',
    ]) {
      const exchange = byName.get(name)!;
      expectEquivalent(exchange, await replay(server.app, exchange), kid);
    }
    // JWKS: the same member set as the reference's signing key (we publish signing keys only).
    const jwks = (await server.app.inject({ url: '/.well-known/jwks.json' })).json<{ keys: Record<string, unknown>[] }>();
    const referenceSig = (byName.get('jwks')!.response.body as { keys: { use: string }[] }).keys.find((k) => k.use === 'sig')!;
    expect(jwks.keys.map(keysOf)).toEqual([keysOf(referenceSig)]);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid });
  });

  it('answers the same exchanges over real HTTP on 127.0.0.1', async () => {
    await using server = await tokenServer(options);
    const base = await listen(server.app);
    for (const exchange of vector.exchanges.filter(
      (e) => !e.name.includes('pkce') && !e.name.includes('authorization_code') && !e.name.includes('unknown_scope'),
    )) {
      const response = await fetch(`${base}${exchange.request.path}`, {
        method: exchange.request.method,
        headers: exchange.request.headers,
        ...(exchange.request.body !== null && { body: exchange.request.body }),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      expectEquivalent(exchange, { statusCode: response.status, headers, body: await response.text() }, server.keys.current.kid);
    }
  });

  it('refuses an unknown scope by default (S3) and falls back to all allowed scopes only when asked to', async () => {
    const exchange = byName.get('token_unknown_scope_falls_back_to_all_allowed')!;
    await using strict = await tokenServer(options);
    const refused = await replay(strict.app, exchange);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'invalid_scope' });
    await using lenient = await tokenServer({ ...options, token: { unknownScopes: 'grant-all' } });
    expectEquivalent(exchange, await replay(lenient.app, exchange), lenient.keys.current.kid);
  });

  it('keeps PKCE off by default (S2); with PKCE, a registered redirect and the developer login, the PKCE flow answers equivalently', async () => {
    const authorize = byName.get('authorize_pkce_no_login')!;
    const redeem = byName.get('token_authorization_code_public_client')!;
    await using closed = await tokenServer(options);
    const disabled = await replay(closed.app, authorize);
    expect([disabled.statusCode, disabled.json()]).toEqual([
      404,
      { error: 'endpoint_disabled', error_description: 'PKCE support is disabled' },
    ]);
    expect((await replay(closed.app, redeem)).json()).toMatchObject({ error: 'unsupported_grant_type' });

    await using open = await tokenServer({
      ...options,
      token: { pkce: { redirectUris: ['http://127.0.0.1:9/cb'], allowPublicClients: true, devLogin: { username: 'dev', password: 'pw' } } },
    });
    // Without a session the authorize request goes to the login page first.
    const toLogin = await replay(open.app, authorize);
    expect(toLogin.statusCode).toBe(302);
    expect(toLogin.headers.location).toBe(`/oauth/login?return_to=${encodeURIComponent(authorize.request.path)}`);
    const login = await open.app.inject({
      method: 'POST',
      url: '/oauth/login',
      payload: 'username=dev&password=pw&return_to=/oauth/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.statusCode).toBe(302);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);

    const granted = await open.app.inject({ method: 'GET', url: authorize.request.path, headers: { cookie } });
    expectEquivalent(authorize, granted, open.keys.current.kid);
    const location = new URL(String(granted.headers.location));
    const expected = new URL(String(authorize.response.headers.location));
    expect([location.origin + location.pathname, location.searchParams.get('state'), location.searchParams.get('scope')]).toEqual([
      expected.origin + expected.pathname,
      'xyz',
      'node.connect',
    ]);
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const body = redeem.request.body!.replace(/code=[^&]+/, `code=${location.searchParams.get('code')}`);
    const tokenResponse = await open.app.inject({ method: 'POST', url: '/oauth/token', headers: redeem.request.headers, payload: body });
    expectEquivalent(redeem, tokenResponse, open.keys.current.kid);
    // Codes are single-use.
    const again = await open.app.inject({ method: 'POST', url: '/oauth/token', headers: redeem.request.headers, payload: body });
    expect([again.statusCode, again.json<{ error: string }>().error]).toEqual([400, 'invalid_grant']);
  });
});
