/**
 * Scenario 12: overlay encryption end to end over real WebSockets. Two of our nodes in the
 * `encrypted-overlay` profile (overlay + channel/sealed levels, `FAME_DEFAULT_ENCRYPTION_LEVEL`)
 * exchange RPCs and a stream through our sentinel and through the reference sentinel, both in
 * plain `overlay`: routers forward what they cannot read. A wire tap in front of the sentinel
 * records every frame it receives and sends; the secret never appears in them.
 */
import { describe, expect, it } from 'vitest';
import { startReferenceSentinel, uniqueId } from './harness.js';
import { encryptedNode, ourSecureSentinel, SecretService, startWireTap, type Level, type WireTap } from './encrypted.js';

const ALG: Record<Level, string> = { channel: 'chacha20-poly1305-channel', sealed: 'ECDH-ES+A256GCM' };

async function exchange(url: string, tap: WireTap, level: Level): Promise<void> {
  const secret = `secret-${uniqueId(level)}`;
  await using agent = await encryptedNode(url, level, { id: uniqueId('enc-agent') });
  await agent.serve('secret@fame.fabric', new SecretService());
  await using client = await encryptedNode(url, level, { id: uniqueId('enc-client') });

  expect(await client.invoke('secret@fame.fabric', 'reveal', { text: secret })).toBe(`revealed:${secret}`);
  expect(await client.invoke('secret@fame.fabric', 'reveal', { text: `${secret}-2` })).toBe(`revealed:${secret}-2`);
  expect(await client.invokeStream('secret@fame.fabric', 'spell', { text: secret, times: 5 }).toArray()).toEqual(
    [0, 1, 2, 3, 4].map((i) => `${i}:${secret}`),
  );

  // The sentinel saw no plaintext, in either direction.
  expect(tap.frames.length).toBeGreaterThan(0);
  for (const frame of tap.frames) expect(frame.text).not.toContain(secret);
  const data = tap.envelopes().filter(({ envelope }) => envelope.frame?.type === 'Data' && envelope.frame.payload !== undefined);
  const encrypted = data.filter(({ envelope }) => envelope.sec?.enc?.alg === ALG[level]);
  // Requests (3) and answers (2 replies, 5 stream items and the end of the stream) all encrypted, and signed.
  expect(encrypted.filter(({ envelope }) => envelope.to === 'secret@fame.fabric').length).toBeGreaterThanOrEqual(6);
  expect(encrypted.length).toBeGreaterThanOrEqual(2 * 3 + 2 + 5);
  for (const { envelope } of encrypted) expect(envelope.sec?.sig?.val).toEqual(expect.any(String));
  const types = new Set(tap.envelopes().map(({ envelope }) => envelope.frame?.type));
  if (level === 'channel') {
    expect(types).toContain('SecureOpen');
    expect(types).toContain('SecureAccept');
  } else {
    expect(types).toContain('KeyRequest');
    expect(types).toContain('KeyAnnounce');
  }
  expect(agent.security.encryption).toBeDefined();
}

describe('interop: overlay encryption (sealed and channel) through a sentinel that cannot read it', () => {
  for (const level of ['channel', 'sealed'] as const) {
    it(`12a. ${level}: our two nodes through our overlay sentinel`, async () => {
      await using sentinel = await ourSecureSentinel();
      await using tap = await startWireTap(sentinel.url);
      await exchange(tap.url, tap, level);
    });

    it(`12b. ${level}: our two nodes through the reference sentinel (overlay)`, async () => {
      await using sentinel = await startReferenceSentinel({ security: 'overlay', env: { FAME_AUTHORIZATION_PROFILE: 'noop' } });
      await using tap = await startWireTap(sentinel.url);
      await exchange(tap.url, tap, level);
    });
  }
});
