import { AttachError, NOOP_LOGGER, type Authorizer } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { authorizationProfiles, staticTokenProvider } from '@naylence/security';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { staticPlacement, webSocketProvisioner } from '@naylence/admission';
import { describe, expect, it } from 'vitest';
import { admissionProfileFromEnv, admitFromEnv } from './admission-composition.js';
import { createFabricFromEnv } from './compose/fabric-from-env.js';
import { runOAuth2Server } from './oauth2-server.js';
import { runSentinel } from './sentinel.js';
import { runWelcomeServer } from './welcome-server.js';

const math = { add: ({ x, y }: { x: number; y: number }) => x + y };

/**
 * Our welcome server placing nodes under the sentinel `id`, and that sentinel, whose listener
 * admits only the welcome's attach tokens (`jwt` profile: issuer, JWKS, aud = its path).
 */
async function welcomeAndSentinel(id: string, hellos?: Authorizer, ttlSec?: number) {
  let url = '';
  const welcome = await runWelcomeServer({
    port: 0,
    ...(ttlSec !== undefined && { ttlSec }),
    placement: staticPlacement({ targetSystemId: id, targetPhysicalPath: `/${id}` }),
    // The sentinel's port is known later; the provisioner reads it when it provisions.
    transports: [{ transport: 'websocket', provision: (r) => webSocketProvisioner({ url }).provision(r) }],
    issuer: { algorithm: 'EdDSA' },
    ...(hellos !== undefined && { authorizer: hellos }),
    authorizerName: 'test',
  });
  const authorizer = authorizationProfiles.jwt({
    env: { FAME_JWT_TRUSTED_ISSUER: welcome.issuer, FAME_JWKS_URL: welcome.jwksUrl },
    physicalPath: `/${id}`,
  });
  const listener = new WebSocketListener({ host: '127.0.0.1', port: 0, authorizer });
  const fabric = await createFabric({ systemId: id, logger: NOOP_LOGGER, listeners: [listener], env: {} });
  url = fabric.addresses[0]!.url;
  return {
    welcome,
    url,
    [Symbol.asyncDispose]: async () => {
      await fabric.stop();
      await welcome.stop();
    },
  };
}

describe('admission from the environment', () => {
  it('welcome: an agent admitted by our welcome service (OAuth2 hello) attaches with its attach token and serves; a client calls it', async () => {
    await using tokens = await runOAuth2Server({
      port: 0,
      clientId: 'agent',
      clientSecret: 'agent-secret',
      issuer: (url) => url,
      audience: 'fame.fabric',
    });
    await using pair = await welcomeAndSentinel(
      'sentinel-a',
      authorizationProfiles.oauth2({
        env: { FAME_JWT_TRUSTED_ISSUER: tokens.issuer, FAME_JWT_AUDIENCE: 'fame.fabric', FAME_JWT_ALGORITHM: 'EdDSA' },
      }),
    );
    const { welcome } = pair;
    const env = {
      FAME_ADMISSION_PROFILE: 'welcome',
      FAME_ADMISSION_SERVICE_URL: welcome.helloUrl,
      FAME_ADMISSION_TOKEN_URL: tokens.tokenUrl,
      FAME_ADMISSION_CLIENT_ID: 'agent',
      FAME_ADMISSION_CLIENT_SECRET: 'agent-secret',
      FAME_JWT_AUDIENCE: 'fame.fabric',
    };
    await using admitted = await admitFromEnv({ env, systemId: 'agent-1', logicals: ['fame.fabric'] });
    expect(admitted.welcome).toMatchObject({ systemId: 'agent-1', assignedPath: '/sentinel-a/agent-1', acceptedLogicals: ['fame.fabric'] });
    await using agent = await createFabric({ ...admitted.fabricOptions, logger: NOOP_LOGGER, env });
    expect(agent.profiles.admission).toBe('welcome');
    expect(agent.physicalPath).toBe('/sentinel-a/agent-1');
    await agent.serve('math@fame.fabric', math);

    // A client admitted the same way (no logicals: it may bind none).
    await using client = await admitFromEnv({ env, systemId: 'client-1' });
    await using clientFabric = await createFabric({ ...client.fabricOptions, logger: NOOP_LOGGER, env });
    expect(await clientFabric.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
  });

  it('refusals at attach (S1): a welcome token used by another system id, or for logicals it does not grant', async () => {
    await using pair = await welcomeAndSentinel('sentinel-b');
    const { welcome } = pair;
    const sentinelUrl = pair.url;
    const env = { FAME_ADMISSION_PROFILE: 'welcome', FAME_ADMISSION_SERVICE_URL: welcome.helloUrl };
    await using admitted = await admitFromEnv({ env, systemId: 'honest', logicals: ['fame.fabric'] });
    const grant = admitted.welcome.connectionGrants[0]!;
    const token = (grant.auth as { tokenProvider: { token: string } }).tokenProvider.token;
    const attach = (systemId: string, requestedLogicals: string[]): Promise<Fabric> =>
      createFabric({
        systemId,
        requestedLogicals,
        logger: NOOP_LOGGER,
        env: {},
        connect: {
          dialer: new WebSocketDialer({ url: sentinelUrl, tokenProvider: staticTokenProvider(token) }),
          reconnect: { maxInitialAttempts: 1 },
        },
      });
    const impostor = await attach('victim', ['fame.fabric']).catch((e: unknown) => e);
    expect(impostor).toBeInstanceOf(AttachError);
    expect(impostor).toMatchObject({ message: expect.stringContaining('parent rejected the attach') as unknown });
    const greedy = await attach('honest', ['fame.fabric', 'evil.fabric']).catch((e: unknown) => e);
    expect(greedy).toBeInstanceOf(AttachError);
    // The honest node with its own token is admitted.
    await using honest = await attach('honest', ['fame.fabric']);
    expect(honest.physicalPath).toBe('/sentinel-b/honest');
  });

  it('welcome expiry (createFabricFromEnv): the link closes before expiresAt, the reconnect admits the node again (same path), and it keeps serving', async () => {
    // A 6 s welcome: the dialer closes the link at half its life, bounded below by 5 s, and the reconnect admits again.
    await using pair = await welcomeAndSentinel('sentinel-e', undefined, 6);
    const env = { FAME_ADMISSION_PROFILE: 'welcome', FAME_ADMISSION_SERVICE_URL: pair.welcome.helloUrl };
    const attaches: string[] = [];
    let reattached: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (reattached = resolve));
    const hooks = [{ onAttached: (info: { physicalPath: string }) => void (attaches.push(info.physicalPath) === 2 && reattached()) }];
    await using agent = await createFabricFromEnv({
      env,
      systemId: 'renewing',
      requestedLogicals: ['fame.fabric'],
      hooks,
      logger: NOOP_LOGGER,
    });
    expect(agent.profiles.admission).toBe('welcome');
    await agent.serve('math@fame.fabric', math);
    await using client = await createFabricFromEnv({ env, systemId: 'caller', logger: NOOP_LOGGER });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);
    await second;
    expect(attaches).toEqual(['/sentinel-e/renewing', '/sentinel-e/renewing']);
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
  });

  it('direct-http: an agent attaches to `naylence sentinel --http`’s ingress and serves a WebSocket client', async () => {
    await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, http: true, logger: NOOP_LOGGER, env: {} });
    expect(sentinel.ingressUrl).toBe(`http://127.0.0.1:${sentinel.port}/fame/v1/ingress/downstream`);
    const env = { FAME_ADMISSION_PROFILE: 'direct-http', FAME_DIRECT_ADMISSION_URL: sentinel.ingressUrl! };
    await using admitted = await admitFromEnv({ env, logicals: ['fame.fabric'] });
    await using agent = await createFabric({ ...admitted.fabricOptions, logger: NOOP_LOGGER, env });
    await agent.serve('math@fame.fabric', math);
    expect(admitted.dialer.transport).toBe('http');
    await using client = await createFabric({ logger: NOOP_LOGGER, env: {}, connect: new WebSocketDialer({ url: sentinel.url }) });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
  });

  it('picks the profile as the reference does, and refuses a contradiction or a missing setting before anything starts', async () => {
    expect(admissionProfileFromEnv({})).toBe('none');
    expect(admissionProfileFromEnv({ FAME_DIRECT_ADMISSION_URL: 'ws://x/a' })).toBe('direct');
    expect(admissionProfileFromEnv({ FAME_ADMISSION_PROFILE: 'Direct_HTTP' })).toBe('direct-http');
    expect(() => admissionProfileFromEnv({ FAME_ADMISSION_PROFILE: 'open' }, 'welcome')).toThrow(/contradicts FAME_ADMISSION_PROFILE=open/);
    const root = await admitFromEnv({ env: {}, systemId: 'root' });
    expect(root).toMatchObject({ profile: 'none', hasUpstream: false, systemId: 'root' });
    expect(root.fabricOptions.connect).toBeUndefined();
    await expect(admitFromEnv({ env: { FAME_ADMISSION_PROFILE: 'welcome' } })).rejects.toMatchObject({
      setting: 'FAME_ADMISSION_SERVICE_URL',
    });
    await expect(
      admitFromEnv({ env: { FAME_ADMISSION_PROFILE: 'direct', FAME_DIRECT_ADMISSION_URL: 'ws://x/a', FAME_NODE_IDENTITY_PROFILE: 'x' } }),
    ).rejects.toMatchObject({
      setting: 'FAME_NODE_IDENTITY_PROFILE',
    });
  });
});
