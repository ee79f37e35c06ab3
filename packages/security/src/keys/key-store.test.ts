import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { secureDigestSync } from '../signing/digests.js';
import { NodeKeys } from './node-keys.js';
import { KeyStore } from './key-store.js';

describe('KeyStore', () => {
  it('stamps sid = secureDigest(path) and physical_path, ignoring those members of received keys', () => {
    const store = new KeyStore({ provider });
    const keys = new NodeKeys({ provider });
    const lying = { ...keys.signingJwk(), sid: 'forged', physical_path: '/elsewhere' };
    const { added } = store.addKeys([lying], '/a/b');
    expect(added[0]).toMatchObject({ kid: keys.signingKid, sid: secureDigestSync(provider, '/a/b'), physical_path: '/a/b' });
    expect(Object.isFrozen(added[0])).toBe(true);
  });

  it('drops invalid keys one by one, with a reason, and keeps the rest', () => {
    const store = new KeyStore({ provider });
    const good = new NodeKeys({ provider });
    const result = store.addKeys(
      [
        good.signingJwk(),
        { ...good.signingJwk(), kid: 'x1', use: 'enc' },
        { kty: 'OKP', crv: 'X25519', x: good.signingJwk().x, kid: 'x2', use: 'sig' },
        { kty: 'OKP', crv: 'Ed25519', x: 'tooshort', kid: 'x3', use: 'sig' },
        { kty: 'OKP', crv: 'Ed25519', kid: 'x4', use: 'sig' },
        { kty: 'oct', k: 'abc', kid: 'x5', use: 'sig' },
        'not a key',
        { kty: 'OKP', crv: 'Ed25519', x: good.signingJwk().x, use: 'sig' },
        good.encryptionJwk(),
      ],
      '/a',
    );
    expect(result.added.map((k) => k.kid)).toEqual([good.signingKid, good.encryptionKid]);
    expect(result.rejected.map((r) => r.kid)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', undefined, undefined]);
    expect(result.rejected.every((r) => r.reason.length > 0)).toBe(true);
  });

  it('checkKeys names what addKeys would drop (rules and validator) without storing anything', () => {
    const good = new NodeKeys({ provider });
    const vetoed = new NodeKeys({ provider });
    let validations = 0;
    const store = new KeyStore({
      provider,
      validator: {
        validateKey: (jwk) => {
          validations++;
          return jwk.kid === vetoed.signingKid ? { ok: false, reason: 'no certificate' } : { ok: true };
        },
      },
    });
    const keys = [good.signingJwk(), { ...good.signingJwk(), kid: 'x1', use: 'enc' }, vetoed.signingJwk(), good.encryptionJwk()];
    expect(store.checkKeys(keys)).toEqual([
      { kid: 'x1', reason: expect.any(String) },
      { kid: vetoed.signingKid, reason: 'no certificate' },
    ]);
    expect(store.size).toBe(0);
    expect(store.addKeys(keys, '/a').rejected.map((r) => r.kid)).toEqual(['x1', vetoed.signingKid]);
    // Checked at attach, stored after it: the validator ran once per key (x1 fails the JWK rules first).
    expect(validations).toBe(3);
  });

  it('replaces stale keys of the same owner and use (rotation), and only those', () => {
    const store = new KeyStore({ provider });
    const first = new NodeKeys({ provider });
    const second = new NodeKeys({ provider });
    store.addKeys(first.shareableKeys(), '/a');
    store.addKeys(first.shareableKeys(), '/b');
    const result = store.addKeys([second.signingJwk()], '/a');
    expect(result.replaced.map((k) => k.kid)).toEqual([first.signingKid]);
    expect(
      store
        .keysForPath('/a')
        .map((k) => k.kid)
        .sort(),
    ).toEqual([first.encryptionKid, second.signingKid].sort());
    expect(store.keysForPath('/b')).toHaveLength(2);
    // An address on a path rotates with its path.
    // An address on a path and the path rotate together (the reference's name@path rule).
    expect(store.addKeys([first.encryptionJwk()], 'math@/a').replaced.map((k) => k.physical_path)).toEqual(['/a']);
    expect(store.addKeys([second.encryptionJwk()], '/a').replaced.map((k) => k.physical_path)).toEqual(['math@/a']);
  });

  it('keeps colliding kids apart, removes by path, and stays bounded', () => {
    const store = new KeyStore({ provider, maxKeys: 3 });
    const keys = new NodeKeys({ provider });
    store.addKeys([keys.signingJwk()], '/a');
    expect(store.addKeys([keys.signingJwk()], '/b').collisions).toEqual([keys.signingKid]);
    expect(store.getKey(keys.signingKid)).toBeUndefined(); // ambiguous without a path
    expect(store.getKey(keys.signingKid, '/b')?.physical_path).toBe('/b');
    store.addKeys([keys.encryptionJwk()], '/a');
    expect(store.addKeys([new NodeKeys({ provider }).signingJwk()], '/c').rejected[0]?.reason).toMatch(/full/);
    expect(store.pathOfSid(secureDigestSync(provider, '/a'))).toBe('/a');
    expect(store.removeKeysForPath('/a')).toBe(2);
    expect(store.pathOfSid(secureDigestSync(provider, '/a'))).toBeUndefined();
    expect(store.size).toBe(1);
    expect(store.getKey(keys.signingKid)?.physical_path).toBe('/b');
    expect(store.removeKey(keys.signingKid, '/b')).toBe(true);
    expect(store.hasKey(keys.signingKid)).toBe(false);
    expect(store.keysByPath().size).toBe(0);
  });
});
