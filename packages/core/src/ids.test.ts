import { readVector } from '@naylence-tools/conformance';
import { describe, expect, it } from 'vitest';
import {
  BASE62_ALPHABET,
  base62FromBytes,
  fingerprintId,
  hasBlockedSubstring,
  randomId,
  referenceSystemIdMaterial,
  secureDigest,
  secureDigestSync,
} from './ids.js';

describe('secureDigest / sid', () => {
  it.each([
    ['/n1z4APh1v66jwtuJ', '4fZ2ZNpd82MiaKHYlxNM0V'],
    ['/n1z4APh1v66jwtuJ/uLCVO7F9EAxxrQHB', '3NLylExuvqpQhsvzFwQ4HR'],
    ['/n1z4APh1v66jwtuJ/lcpjOo8HFutCs9We', '1eOsTGlRMrt1nUrM5xHlwf'],
    ['/sentinel-a', '36J1vRkP3UH1kttxRXFFxJ'],
    ['/sentinel-a/agent-b', '5vUWYgpOWK8i7wEvaVkSpj'],
    ['', '6VE2wRoL3MNCIb6wil2FiA'],
  ])('secureDigest(%j) = %s (protocol-core §2.6, protocol-security §3.2)', async (path, sid) => {
    expect(await secureDigest(path)).toBe(sid);
    expect(secureDigestSync(path)).toBe(sid);
  });

  it('matches every digest in identity-policy-vectors.json', async () => {
    const vectors = readVector<Record<string, unknown>>('security/identity-policy-vectors.json');
    const digests = JSON.stringify(vectors).match(/secure_?[dD]igest/) ? vectors : undefined;
    expect(digests).toBeDefined();
    const found: [string, string][] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const input = o.input ?? o.path;
        const output = o.secure_digest ?? o.secureDigest ?? o.digest;
        if (typeof input === 'string' && typeof output === 'string') found.push([input, output]);
        Object.values(o).forEach(walk);
      }
    };
    walk(vectors);
    expect(found.length).toBeGreaterThan(0);
    for (const [input, output] of found) expect(await secureDigest(input)).toBe(output);
  });

  it('writes zero as "0" and never pads', () => {
    expect(base62FromBytes(new Uint8Array(16))).toBe('0');
    expect(base62FromBytes(new Uint8Array([0, 0, 61]))).toBe('Z');
    expect(base62FromBytes(new Uint8Array([1, 0]))).toBe('48'); // 256 = 4*62 + 8
  });

  it('writes 16 bytes (the limb division) as the general BigInt path does', () => {
    const viaBigInt = (bytes: Uint8Array) => {
      let n = 0n;
      for (const b of bytes) n = (n << 8n) | BigInt(b);
      let out = '';
      for (; n > 0n; n /= 62n) out = BASE62_ALPHABET[Number(n % 62n)]! + out;
      return out || '0';
    };
    const samples = [new Uint8Array(16).fill(255), Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0))];
    for (let i = 0; i < 200; i++) samples.push(crypto.getRandomValues(new Uint8Array(16)));
    for (let zeros = 1; zeros < 16; zeros++) samples.push(Uint8Array.from({ length: 16 }, (_, i) => (i < zeros ? 0 : (i * 37) & 255)));
    for (const bytes of samples) expect(base62FromBytes(bytes)).toBe(viaBigInt(bytes));
  });
});

describe('randomId', () => {
  it('is 16 base62 characters without blocked substrings', () => {
    const alphabet = new Set(BASE62_ALPHABET);
    for (let i = 0; i < 5_000; i++) {
      const id = randomId();
      expect(id).toHaveLength(16);
      for (const ch of id) expect(alphabet.has(ch)).toBe(true);
      expect(hasBlockedSubstring(id)).toBe(false);
    }
  });

  it('does not repeat and uses the whole alphabet', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => randomId()));
    expect(ids.size).toBe(20_000);
    const seen = new Set([...ids].join(''));
    expect(seen.size).toBe(62);
  });

  it('supports other lengths', () => {
    expect(randomId(8)).toHaveLength(8);
  });
});

describe('fingerprint ids', () => {
  it('are deterministic, 16 base62 characters', async () => {
    const material = referenceSystemIdMaterial({ mac: '02:42:AC:11:00:02', entry: '/app/agent.mjs' });
    expect(material).toBe('mac:0242ac110002|entry:/app/agent.mjs|salt:');
    const a = await fingerprintId(material);
    expect(a).toMatch(/^[0-9a-zA-Z]{16}$/);
    expect(await fingerprintId(material)).toBe(a);
    expect(await fingerprintId(referenceSystemIdMaterial({ mac: '02:42:AC:11:00:02', entry: '/app/agent.mjs', salt: 'b' }))).not.toBe(a);
  });

  it("re-hash exactly on the reference's blacklist (admission-and-http §7), not on the random-id blocklist", async () => {
    expect(await fingerprintId('spec-client', 8)).toBe('zAfmX84b');
    // 'TIT' is blocked for random ids but not on the reference's list: kept as is.
    expect(await fingerprintId('node-826')).toBe('nlCgeje9OkTITJOE');
    // The first digest spells 'FuC' (blacklisted): the id comes from SHA-256 of that digest.
    expect(await fingerprintId('node-1172')).toBe('9SfSEde8iPZkr1OA');
  });

  it('builds the material with flags and hostname as the reference does', () => {
    expect(referenceSystemIdMaterial({ hostname: 'box', entry: 'e.js', flags: ['--b', '--a'], salt: 's' })).toBe(
      'hn:box|flags:--a --b|entry:e.js|salt:s',
    );
  });
});
