/**
 * The example add-on's `strict-overlay` profile end to end: a sentinel and two agents over real
 * WebSockets (127.0.0.1, port 0), each loading the add-on from `FAME_PLUGINS`, signing with an
 * Ed25519 key whose certificate (made by openssl, issued for the node's sid) travels as `x5c`,
 * trusting the root in `FAME_CA_CERTS`, and encrypting with channels (the default) or sealed
 * envelopes (`FAME_DEFAULT_ENCRYPTION_LEVEL=sealed`). A node whose certificate names another
 * sid is refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomId } from '@naylence/core';
import { createFabric, type Fabric, type Sentinel } from '@naylence/fabric';
import {
  NodeKeys,
  SecurityComponentRegistry,
  createProfileRegistry,
  defaultCryptoProvider,
  loadSecurityPlugins,
  nodeSecurityFromEnv,
  secureDigestSync,
  type SecurityPluginRegistry,
} from '@naylence/security';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { createTestPki } from './test-pki.test.util.js';

const provider = defaultCryptoProvider();
const pki = createTestPki();
afterAll(() => pki[Symbol.dispose]());

async function registry(): Promise<SecurityPluginRegistry> {
  const loaded: SecurityPluginRegistry = { profiles: createProfileRegistry(), components: new SecurityComponentRegistry() };
  await loadSecurityPlugins({
    env: { FAME_PLUGINS: '@naylence-tools/security-addon-example' },
    registry: loaded,
    importer: (specifier) => import(specifier) as Promise<Record<string, unknown>>,
  });
  return loaded;
}

/** A node's environment and keys: a certificate for the sid of `path` (or of `certifiedPath`). */
function certified(path: string, level: string, certifiedPath = path) {
  const keys = new NodeKeys({ provider });
  const env = {
    FAME_SECURITY_PROFILE: 'strict-overlay',
    FAME_AUTHORIZATION_PROFILE: 'noop',
    FAME_CA_CERTS: pki.rootPem,
    FAME_NODE_CERT_CHAIN: pki.issueChain(keys, { sid: secureDigestSync(provider, certifiedPath) }),
    FAME_DEFAULT_ENCRYPTION_LEVEL: level,
  };
  return { keys, env };
}

class Echo {
  readonly seen: string[] = [];
  echo({ text }: { text: string }): string {
    this.seen.push(text);
    return `echo:${text}`;
  }
  async *count({ n }: { n: number }): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
}

async function strictFabric(
  plugins: SecurityPluginRegistry,
  id: string,
  path: string,
  level: string,
  options: { url?: string; certifiedPath?: string } = {},
): Promise<Fabric> {
  const { keys, env } = certified(path, level, options.certifiedPath);
  const security = nodeSecurityFromEnv({
    env,
    keys,
    registry: plugins.profiles,
    components: plugins.components,
    acceptsLinks: options.url === undefined,
  });
  return createFabric({
    systemId: id,
    env,
    security,
    ...(options.url === undefined
      ? {
          listeners: [
            new WebSocketListener({ host: '127.0.0.1', port: 0, ...(security.authorizer && { authorizer: security.authorizer }) }),
          ],
        }
      : { connect: { dialer: new WebSocketDialer({ url: options.url }) } }),
  });
}

describe('strict-overlay from the example add-on: a sentinel and two agents', () => {
  for (const level of ['channel', 'sealed']) {
    it(`RPCs and a stream, ${level}-encrypted, signed with certified keys`, async () => {
      const plugins = await registry();
      const sentinelId = `strict-${randomId(6)}`;
      await using sentinel = await strictFabric(plugins, sentinelId, `/${sentinelId}`, level);
      const url = (sentinel.node as Sentinel).addresses[0]!.url;
      const [agentId, clientId] = [`agent-${randomId(6)}`, `client-${randomId(6)}`];
      await using agent = await strictFabric(plugins, agentId, `/${sentinelId}/${agentId}`, level, { url });
      const echo = new Echo();
      await agent.serve('echo@fame.fabric', echo);
      await using client = await strictFabric(plugins, clientId, `/${sentinelId}/${clientId}`, level, { url });

      expect(await client.invoke('echo@fame.fabric', 'echo', { text: 'strict' })).toBe('echo:strict');
      expect(await client.invokeStream('echo@fame.fabric', 'count', { n: 4 }).toArray()).toEqual([0, 1, 2, 3]);
      expect(echo.seen).toEqual(['strict']);
      expect(client.profiles.security).toBe('strict-overlay');
    });
  }

  it('refuses an agent whose certificate names another sid (its signatures are not accepted)', async () => {
    const plugins = await registry();
    const sentinelId = `strict-${randomId(6)}`;
    await using sentinel = await strictFabric(plugins, sentinelId, `/${sentinelId}`, 'channel');
    const url = (sentinel.node as Sentinel).addresses[0]!.url;
    const agentId = `agent-${randomId(6)}`;
    await using agent = await strictFabric(plugins, agentId, `/${sentinelId}/${agentId}`, 'channel', { url });
    await agent.serve('echo@fame.fabric', new Echo());
    const clientId = `client-${randomId(6)}`;
    await using impostor = await strictFabric(plugins, clientId, `/${sentinelId}/${clientId}`, 'channel', {
      url,
      certifiedPath: '/elsewhere',
    });
    // Its SecureOpen is signed with a key whose certificate is not its own: refused, and the channel with it.
    await expect(impostor.invoke('echo@fame.fabric', 'echo', { text: 'x' })).rejects.toMatchObject({
      code: 'CHANNEL_HANDSHAKE_FAILED',
      message: expect.stringContaining('signature_verification_failed'),
    });
  });
});
