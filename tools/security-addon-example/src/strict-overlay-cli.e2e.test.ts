/**
 * `strict-overlay` from the environment alone, the way `naylence sentinel` and agents built with
 * `createFabricFromEnv` run it: the add-on from `FAME_PLUGINS`, the trust root in `FAME_CA_CERTS`,
 * each node's certificate chain in `FAME_NODE_CERT_CHAIN` and the key it certifies in
 * `FAME_SIGNING_KEY` (a PEM file), over real WebSockets on 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOOP_LOGGER, randomId } from '@naylence/core';
import { createFabricFromEnv, runSentinel } from '@naylence/cli';
import { NodeKeys, defaultCryptoProvider, secureDigestSync } from '@naylence/security';
import { createTestPki } from './test-pki.test.util.js';

const provider = defaultCryptoProvider();
const pki = createTestPki();
const dir = mkdtempSync(path.join(tmpdir(), 'naylence-strict-cli-'));
afterAll(() => {
  pki[Symbol.dispose]();
  rmSync(dir, { recursive: true, force: true });
});
// The plug-in by path: the test runner's working directory is the repository root, where the
// package is not a dependency (an application names its installed package instead).
const PLUGIN = path.join(import.meta.dirname, 'plugin.ts');

/** A node's environment: a key in a PEM file and a certificate chain for `path`'s sid (or `certifiedPath`'s). */
function nodeEnv(nodePath: string, level: string, certifiedPath = nodePath): Record<string, string> {
  const { privateKey } = provider.ed25519.generateKeyPair();
  const keyFile = path.join(dir, `${randomId(8)}.pem`);
  writeFileSync(keyFile, provider.ed25519.exportPrivatePem(privateKey), { mode: 0o600 });
  const keys = new NodeKeys({ provider, signingKey: privateKey });
  return {
    FAME_PLUGINS: PLUGIN,
    FAME_SECURITY_PROFILE: 'strict-overlay',
    FAME_AUTHORIZATION_PROFILE: 'noop',
    FAME_CA_CERTS: pki.rootPem,
    FAME_NODE_CERT_CHAIN: pki.issueChain(keys, { sid: secureDigestSync(provider, certifiedPath) }),
    FAME_SIGNING_KEY: keyFile,
    FAME_DEFAULT_ENCRYPTION_LEVEL: level,
  };
}

describe('strict-overlay from the environment (runSentinel, createFabricFromEnv)', () => {
  it('a sentinel and two agents exchange channel-encrypted RPCs; a node whose key or sid its certificate does not certify is refused', async () => {
    const hub = `strict-${randomId(6)}`;
    await using sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: hub,
      env: nodeEnv(`/${hub}`, 'channel'),
      logger: NOOP_LOGGER,
    });
    expect(sentinel.security.profile).toBe('strict-overlay');
    const child = (id: string, certifiedPath?: string) => ({
      ...nodeEnv(`/${hub}/${id}`, 'channel', certifiedPath),
      FAME_ADMISSION_PROFILE: 'open',
      FAME_DIRECT_ADMISSION_URL: sentinel.url,
    });
    await using agent = await createFabricFromEnv({ env: child('agent'), systemId: 'agent', logger: NOOP_LOGGER });
    await agent.serve('echo@fame.fabric', { echo: ({ text }: { text: string }) => `echo:${text}` });
    await using client = await createFabricFromEnv({ env: child('client'), systemId: 'client', logger: NOOP_LOGGER });
    expect(await client.invoke('echo@fame.fabric', 'echo', { text: 'from env' })).toBe('echo:from env');
    // The agent's key in the sentinel's store carries the chain from FAME_NODE_CERT_CHAIN.
    const [signing] = sentinel.security.keyStore!.keysForPath(`/${hub}/agent`).filter((k) => k.use === 'sig');
    expect(signing?.x5c).toBeInstanceOf(Array);

    // Without FAME_SIGNING_KEY the node signs with a fresh key its certificate does not certify: refused at attach.
    const { FAME_SIGNING_KEY: _key, ...uncertified }: Record<string, string> = child('stray');
    await expect(createFabricFromEnv({ env: uncertified, systemId: 'stray', logger: NOOP_LOGGER })).rejects.toMatchObject({
      message: expect.stringContaining('the leaf certificate is for another key'),
    });

    await using impostor = await createFabricFromEnv({ env: child('impostor', '/elsewhere'), systemId: 'impostor', logger: NOOP_LOGGER });
    await expect(impostor.invoke('echo@fame.fabric', 'echo', { text: 'x' })).rejects.toMatchObject({ code: 'CHANNEL_HANDSHAKE_FAILED' });
  });
});
