import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { NodeKeys } from './node-keys.js';
import { privateJwk, privateKeyFromJwk, publicKeyFromJwk } from './jwk.js';
import { checkEncryptionJwk, checkSigningJwk } from './jwk-validation.js';

describe('NodeKeys', () => {
  it('publish the JWK member sets of §2 in getJwks() and the shareable keys', () => {
    const keys = new NodeKeys({ provider: nodeCryptoProvider });
    const [sig, enc] = keys.getJwks().keys;
    expect(Object.keys(sig!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(sig).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA', kid: keys.signingKid });
    expect(enc).toMatchObject({ kty: 'OKP', crv: 'X25519', use: 'enc', alg: 'ECDH-ES', kid: keys.encryptionKid });
    expect(keys.signingKid).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(keys.shareableKeys()).toEqual([sig, enc]);
    expect(checkSigningJwk(sig).ok && checkEncryptionJwk(enc).ok).toBe(true);
  });

  it('persist through PEM and JWK, across providers', () => {
    const keys = new NodeKeys({ provider: nodeCryptoProvider });
    const again = new NodeKeys({
      provider: browserCryptoProvider,
      signingKey: keys.signingPrivatePem(),
      encryptionKey: keys.encryptionPrivatePem(),
      signingKid: keys.signingKid,
      encryptionKid: keys.encryptionKid,
    });
    expect(again.getJwks()).toEqual(keys.getJwks());
    expect(again.sign(new Uint8Array([1, 2]))).toEqual(keys.sign(new Uint8Array([1, 2])));
    const peer = new NodeKeys({ provider: browserCryptoProvider });
    expect(keys.sharedSecret(peer.encryptionPublicKey)).toEqual(peer.sharedSecret(keys.encryptionPublicKey));
    const secret = privateJwk(
      nodeCryptoProvider,
      privateKeyFromJwk(nodeCryptoProvider, privateJwk(nodeCryptoProvider, new Uint8Array(32).fill(7), 'k', 'Ed25519'), 'Ed25519'),
      'k',
      'Ed25519',
    );
    expect(publicKeyFromJwk(secret, 'Ed25519')).toHaveLength(32);
    expect(() => privateKeyFromJwk(nodeCryptoProvider, { ...secret, x: keys.signingJwk().x }, 'Ed25519')).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
    expect(() => new NodeKeys({ provider: nodeCryptoProvider, signingKey: 'not a pem' })).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
  });
});
