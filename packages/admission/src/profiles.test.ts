import { describe, expect, it } from 'vitest';
import type { AdmissionClient } from './admission-client.js';
import { admissionClientForProfile, canonicalAdmissionProfile, createAdmissionProfileRegistry } from './profiles.js';

const WS = 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream';
const HTTP = 'http://127.0.0.1:8000/fame/v1/ingress/downstream';
const OAUTH2 = {
  FAME_ADMISSION_TOKEN_URL: 'http://127.0.0.1:8099/oauth/token',
  FAME_ADMISSION_CLIENT_ID: 'agent',
  FAME_ADMISSION_CLIENT_SECRET: 's3cret',
  FAME_JWT_AUDIENCE: 'fame.fabric',
};

async function attachGrant(client: AdmissionClient) {
  const { welcome, authOf } = await client.hello({ systemId: 'n', instanceId: 'i' });
  const grant = welcome.connectionGrants[0]!;
  return { grant, auth: authOf(grant) };
}

describe('admission profiles (FAME_ADMISSION_PROFILE)', () => {
  it('direct: a WebSocket grant to FAME_DIRECT_ADMISSION_URL, the OAuth2 token as subprotocols, the secret never copied into it', async () => {
    const client = admissionClientForProfile('direct', { env: { FAME_DIRECT_ADMISSION_URL: WS, ...OAUTH2 } });
    const { grant, auth } = await attachGrant(client);
    expect(grant).toMatchObject({ type: 'WebSocketConnectionGrant', purpose: 'node.attach', url: WS, raw: { ttl: 0, durable: false } });
    expect(auth.type).toBe('WebSocketSubprotocolAuth');
    expect(JSON.stringify(grant.raw)).not.toContain('s3cret');
    expect(grant.raw).toMatchObject({
      auth: { tokenProvider: { type: 'OAuth2ClientCredentialsTokenProvider', audience: 'fame.fabric', scopes: ['node.connect'] } },
    });
  });

  it('direct-http: an HTTP grant, the token as Authorization: Bearer; open: no credentials', async () => {
    const http = await attachGrant(admissionClientForProfile('direct-http', { env: { FAME_DIRECT_ADMISSION_URL: HTTP, ...OAUTH2 } }));
    expect(http.grant).toMatchObject({ type: 'HttpConnectionGrant', url: HTTP });
    expect(http.auth).toMatchObject({ type: 'BearerTokenHeaderAuth', headerName: 'Authorization' });
    const open = await attachGrant(admissionClientForProfile(' OPEN ', { env: { FAME_DIRECT_ADMISSION_URL: WS, ...OAUTH2 } }));
    expect(open.auth.type).toBe('NoAuth');
  });

  it('without OAuth2 variables, direct profiles present the static token given, else none', async () => {
    const env = { FAME_DIRECT_ADMISSION_URL: WS };
    expect((await attachGrant(admissionClientForProfile('direct', { env }))).auth.type).toBe('NoAuth');
    const { auth } = await attachGrant(admissionClientForProfile('direct', { env, token: 'parent-secret' }));
    expect(auth.type !== 'NoAuth' && (await auth.tokenProvider.getToken()).value).toBe('parent-secret');
  });

  it('welcome: a welcome service client at FAME_ADMISSION_SERVICE_URL; FAME_ROOT makes it a root', () => {
    const env = { FAME_ADMISSION_SERVICE_URL: 'http://127.0.0.1:8090/fame/v1/welcome/hello', ...OAUTH2 };
    expect(admissionClientForProfile('welcome', { env })).toMatchObject({ kind: 'welcome', hasUpstream: true });
    expect(admissionClientForProfile('welcome', { env: { ...env, FAME_ROOT: 'true' } }).hasUpstream).toBe(false);
    expect(admissionClientForProfile('none', { env: {} })).toMatchObject({ kind: 'noop', hasUpstream: false });
  });

  it.each([
    ['direct', {}, 'FAME_DIRECT_ADMISSION_URL'],
    ['direct', { FAME_DIRECT_ADMISSION_URL: HTTP }, 'FAME_DIRECT_ADMISSION_URL'],
    ['direct-http', { FAME_DIRECT_ADMISSION_URL: WS }, 'FAME_DIRECT_ADMISSION_URL'],
    ['direct', { FAME_DIRECT_ADMISSION_URL: WS, FAME_ADMISSION_TOKEN_URL: 'http://t/oauth/token' }, 'FAME_ADMISSION_CLIENT_ID'],
    ['welcome', {}, 'FAME_ADMISSION_SERVICE_URL'],
    ['welcome', { FAME_ADMISSION_SERVICE_URL: 'http://w/hello', FAME_ROOT: 'maybe' }, 'FAME_ROOT'],
    ['welcome-pkce', { FAME_ADMISSION_SERVICE_URL: 'http://w/hello' }, 'FAME_ADMISSION_AUTHORIZE_URL'],
    ['direct-pigeon', {}, 'FAME_ADMISSION_PROFILE'],
  ])('%s with %j: a ConfigError naming %s', (profile, env, setting) => {
    expect(() => admissionClientForProfile(profile, { env })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', setting }) as Error,
    );
  });

  it('names are canonical (welcome_pkce = welcome-pkce); a registry takes more profiles but no silent duplicates', () => {
    expect(canonicalAdmissionProfile(' Direct_InPage ')).toBe('direct-inpage');
    const registry = createAdmissionProfileRegistry();
    expect(registry.names()).toEqual([
      'welcome',
      'welcome-pkce',
      'direct',
      'direct-pkce',
      'direct-http',
      'open',
      'direct-inpage',
      'noop',
      'none',
    ]);
    const pigeon = (): AdmissionClient => ({ kind: 'direct', hasUpstream: true, hello: () => Promise.reject(new Error('n/a')) });
    registry.register('direct-pigeon', pigeon);
    expect(admissionClientForProfile('direct_pigeon', { env: {} }, registry).kind).toBe('direct');
    expect(() => registry.register('direct', pigeon)).toThrow(/already registered/);
  });
});
