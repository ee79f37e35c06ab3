import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOOP_LOGGER } from '@naylence/core';
import { defaultCryptoProvider } from '@naylence/security';
import { afterAll, describe, expect, it } from 'vitest';
import { runSentinel } from '../sentinel.js';
import { createFabricFromEnv } from './fabric-from-env.js';
import { nodeKeysFromEnv } from './signing-key-from-env.js';

const provider = defaultCryptoProvider();
const { privateKey, publicKey } = provider.ed25519.generateKeyPair();
const pem = provider.ed25519.exportPrivatePem(privateKey);
const dir = mkdtempSync(path.join(tmpdir(), 'naylence-signing-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = path.join(dir, 'node.key.pem');
writeFileSync(keyFile, pem);

describe('FAME_SIGNING_KEY', () => {
  it('is read as PEM text or from a PEM file; unset means a fresh key', () => {
    expect(nodeKeysFromEnv({})).toBeUndefined();
    expect(nodeKeysFromEnv({ FAME_SIGNING_KEY: ' ' })).toBeUndefined();
    expect(nodeKeysFromEnv({ FAME_SIGNING_KEY: pem })!.signingPublicKey).toEqual(publicKey);
    expect(nodeKeysFromEnv({ FAME_SIGNING_KEY: keyFile })!.signingPublicKey).toEqual(publicKey);
  });

  it('fails closed naming the setting: a missing file, garbage, an X25519 key', () => {
    const x25519File = path.join(dir, 'x25519.pem');
    writeFileSync(x25519File, provider.x25519.exportPrivatePem(provider.x25519.generateKeyPair().privateKey));
    const garbageFile = path.join(dir, 'garbage.pem');
    writeFileSync(garbageFile, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    for (const value of [path.join(dir, 'missing.pem'), garbageFile, x25519File]) {
      expect(() => nodeKeysFromEnv({ FAME_SIGNING_KEY: value })).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', setting: 'FAME_SIGNING_KEY' }),
      );
    }
  });

  it('signs a sentinel and an agent started from the environment with that key, and refuses to start with a bad one', async () => {
    const overlay = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };
    await using sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: 'keyed-hub',
      env: { ...overlay, FAME_SIGNING_KEY: keyFile },
      logger: NOOP_LOGGER,
    });
    expect(sentinel.security.nodeKeys!.signingPublicKey).toEqual(publicKey);
    const env = { ...overlay, FAME_ADMISSION_PROFILE: 'open', FAME_DIRECT_ADMISSION_URL: sentinel.url };
    await using agent = await createFabricFromEnv({ env: { ...env, FAME_SIGNING_KEY: pem }, logger: NOOP_LOGGER, systemId: 'keyed' });
    await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
    await using client = await createFabricFromEnv({ env, logger: NOOP_LOGGER, systemId: 'fresh' });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 2, y: 3 })).toBe(5);
    // The sentinel holds the agent's key: the one in the file.
    const [signing] = sentinel.security.keyStore!.keysForPath('/keyed-hub/keyed').filter((k) => k.use === 'sig');
    expect(signing).toMatchObject({ x: Buffer.from(publicKey).toString('base64url') });

    await expect(
      createFabricFromEnv({ env: { ...env, FAME_SIGNING_KEY: path.join(dir, 'missing.pem') }, logger: NOOP_LOGGER }),
    ).rejects.toMatchObject({ setting: 'FAME_SIGNING_KEY' });
  });
});
