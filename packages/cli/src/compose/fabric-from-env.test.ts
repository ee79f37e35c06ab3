import { NOOP_LOGGER } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { nodeSecurityFromEnv, subjectFingerprint } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { runOAuth2Server } from '../oauth2-server.js';
import { runSentinel } from '../sentinel.js';
import { admitFromEnv } from '../admission-composition.js';
import { createFabricFromEnv, fabricOptionsFromEnv } from './fabric-from-env.js';

const math = {
  add: ({ x, y }: { x: number; y: number }) => x + y,
  async *count({ n }: { n: number }) {
    for (let i = 0; i < n; i++) yield i;
  },
};
const CLIENT = { id: 'env-client', secret: 'env-secret-0123456789abcdef0123' };

describe('createFabricFromEnv', () => {
  it('runs agents and clients in overlay from the environment alone, through a sentinel started the same way', async () => {
    const overlay = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };
    await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, id: 'hub', env: overlay, logger: NOOP_LOGGER });
    expect(sentinel.security.profile).toBe('overlay');
    const env = { ...overlay, FAME_ADMISSION_PROFILE: 'open', FAME_DIRECT_ADMISSION_URL: sentinel.url };
    await using agent = await createFabricFromEnv({ env, logger: NOOP_LOGGER, systemId: 'agent' });
    await agent.serve('math@fame.fabric', math, { capabilities: ['math.v1'] });
    await using client = await createFabricFromEnv({ env: { ...env, FAME_NODE_ID: 'client' }, logger: NOOP_LOGGER });
    expect(client.node.systemId).toBe('client');
    expect(await client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
    expect(await client.invokeStream('math@fame.fabric', 'count', { n: 3 }).toArray()).toEqual([0, 1, 2]);
    expect(await client.invokeByCapability(['math.v1'], 'add', { x: 1, y: 1 })).toBe(2);
    await expect(client.invoke('nobody@fame.fabric', 'add', {})).rejects.toMatchObject({ code: 'NO_ROUTE' });
    expect(sentinel.security.keyStore!.keysForPath('/hub/agent')).toHaveLength(2);
    expect(agent.profiles).toMatchObject({ security: 'overlay', authorization: 'noop', admission: 'open' });
  });

  it('fails closed: the fabric refuses to run with less than the environment asks, naming the setting', async () => {
    await expect(createFabric({ env: { FAME_SECURITY_PROFILE: 'overlay' }, logger: NOOP_LOGGER })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      setting: 'FAME_SECURITY_PROFILE',
    });
    const gated = nodeSecurityFromEnv({ env: { FAME_SECURITY_PROFILE: 'gated' } });
    await expect(createFabric({ env: { FAME_SECURITY_PROFILE: 'overlay' }, security: gated, logger: NOOP_LOGGER })).rejects.toMatchObject({
      setting: 'FAME_SECURITY_PROFILE',
    });
    // Admission: half the OAuth2 credentials, an unknown profile, no URL.
    const url = 'ws://127.0.0.1:1/fame/v1/attach/ws/downstream';
    await expect(
      admitFromEnv({ env: { FAME_DIRECT_ADMISSION_URL: url, FAME_ADMISSION_TOKEN_URL: 'http://x/oauth/token' } }),
    ).rejects.toMatchObject({
      setting: 'FAME_ADMISSION_CLIENT_ID',
    });
    await expect(admitFromEnv({ env: { FAME_ADMISSION_PROFILE: 'telepathy' } })).rejects.toMatchObject({
      setting: 'FAME_ADMISSION_PROFILE',
    });
    await expect(admitFromEnv({ env: { FAME_ADMISSION_PROFILE: 'welcome' } })).rejects.toMatchObject({
      setting: 'FAME_ADMISSION_SERVICE_URL',
    });
    await expect(admitFromEnv({ env: { FAME_ADMISSION_PROFILE: 'direct' } })).rejects.toMatchObject({
      setting: 'FAME_DIRECT_ADMISSION_URL',
    });
    await expect(fabricOptionsFromEnv({ env: { FAME_NODE_IDENTITY_PROFILE: 'token-subject' } })).rejects.toMatchObject({
      setting: 'FAME_NODE_IDENTITY_PROFILE',
    });
  });

  it('gated: children fetch OAuth2 tokens (direct admission); with token-subject identity only the node the token names gets in', async () => {
    await using tokens = await runOAuth2Server({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      port: 0,
      audience: 'fame.fabric',
      issuer: (u) => u,
    });
    const sentinelEnv = {
      FAME_SECURITY_PROFILE: 'gated',
      FAME_JWT_TRUSTED_ISSUER: tokens.issuer,
      FAME_JWT_AUDIENCE: 'fame.fabric',
      FAME_JWT_ALGORITHM: 'EdDSA',
      FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY: 'true',
    };
    await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, env: sentinelEnv, logger: NOOP_LOGGER });
    const child = {
      FAME_SECURITY_PROFILE: 'gated',
      FAME_ADMISSION_PROFILE: 'direct',
      FAME_DIRECT_ADMISSION_URL: sentinel.url,
      FAME_ADMISSION_TOKEN_URL: tokens.tokenUrl,
      FAME_ADMISSION_CLIENT_ID: CLIENT.id,
      FAME_ADMISSION_CLIENT_SECRET: CLIENT.secret,
      FAME_JWT_AUDIENCE: 'fame.fabric',
    };
    await using agent = await createFabricFromEnv({
      env: { ...child, FAME_NODE_IDENTITY_PROFILE: 'token-subject' },
      systemId: 'agent',
      logger: NOOP_LOGGER,
    });
    expect(agent.node.systemId).toBe(`${subjectFingerprint(CLIENT.id)}-agent`);
    expect(agent.profiles.admission).toBe('direct');
    await agent.serve('math@fame.fabric', math);
    // The same token, a node id it does not name: refused at attach with the reason.
    await expect(createFabricFromEnv({ env: child, systemId: 'impostor', logger: NOOP_LOGGER })).rejects.toMatchObject({
      code: 'ATTACH_REJECTED',
      reason: expect.stringContaining('token-subject identity'),
    });
    await using client = await createFabricFromEnv({ env: { ...child, FAME_NODE_IDENTITY_PROFILE: 'token_subject' }, logger: NOOP_LOGGER });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 20, y: 22 })).toBe(42);
    // Without credentials: the listener refuses like the reference (NodeAttachAck ok:false, 1008).
    const { FAME_ADMISSION_TOKEN_URL: _u, FAME_ADMISSION_CLIENT_ID: _i, FAME_ADMISSION_CLIENT_SECRET: _s, ...bare } = child;
    await expect(createFabricFromEnv({ env: bare, logger: NOOP_LOGGER })).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});
