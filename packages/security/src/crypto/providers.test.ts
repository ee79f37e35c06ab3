import { describe, expect, it } from 'vitest';
import { readVector } from '@naylence-tools/conformance';
import { isFameError } from '@naylence/core';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { loadNobleCryptoProvider } from './noble-provider.js';
import { base64UrlEncode, hexDecode, hexEncode, utf8Encode } from './encoding.js';
import type { CryptoProvider } from './provider.js';

const hex = (text: string) => hexDecode(text.replace(/\s+/g, ''))!;

const providers: readonly [string, CryptoProvider][] = [
  ['node:crypto', nodeCryptoProvider],
  ['noble (browser platform module)', browserCryptoProvider],
];

// RFC 8032 §7.1 tests 1 and 2.
const ED25519_VECTORS = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

interface SigningKeyVector {
  seed_hex: string;
  private_key_pkcs8_pem: string;
  public_key_spki_pem: string;
}
const specKey = readVector<{ signing_key: SigningKeyVector; published_jwks: { keys: { x: string }[] } }>('security/signed-envelopes.json');

describe.each(providers)('crypto provider %s', (_name, p) => {
  it('signs and verifies the RFC 8032 vectors', () => {
    for (const v of ED25519_VECTORS) {
      expect(hexEncode(p.ed25519.publicKeyOf(hex(v.secret)))).toBe(v.public);
      const signature = p.ed25519.signer(hex(v.secret))(hex(v.message));
      expect(hexEncode(signature)).toBe(v.signature);
      const verify = p.ed25519.verifier(hex(v.public));
      expect(verify(hex(v.message), signature)).toBe(true);
      const tampered = Uint8Array.from(signature);
      tampered[5]! ^= 1;
      expect(verify(hex(v.message), tampered)).toBe(false);
      expect(verify(utf8Encode('other'), signature)).toBe(false);
      expect(verify(hex(v.message), signature.subarray(0, 63))).toBe(false);
    }
  });

  it('imports and exports the spec key as PKCS#8 / SPKI PEM', () => {
    const seed = p.ed25519.importPrivatePem(specKey.signing_key.private_key_pkcs8_pem);
    expect(hexEncode(seed)).toBe(specKey.signing_key.seed_hex);
    expect(p.ed25519.exportPrivatePem(seed)).toBe(specKey.signing_key.private_key_pkcs8_pem);
    const pub = p.ed25519.importPublicPem(specKey.signing_key.public_key_spki_pem);
    expect(base64UrlEncode(pub)).toBe(specKey.published_jwks.keys[0]!.x);
    expect(base64UrlEncode(p.ed25519.publicKeyOf(seed))).toBe(specKey.published_jwks.keys[0]!.x);
    expect(p.ed25519.exportPublicPem(pub)).toBe(specKey.signing_key.public_key_spki_pem);
  });

  it('refuses keys of the wrong curve or size with INVALID_KEY', () => {
    const x = p.x25519.generateKeyPair();
    const catchCode = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return isFameError(error, 'INVALID_KEY');
      }
      return false;
    };
    expect(catchCode(() => p.ed25519.importPrivatePem(p.x25519.exportPrivatePem(x.privateKey)))).toBe(true);
    expect(catchCode(() => p.ed25519.importPublicPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toBe(true);
    expect(catchCode(() => p.ed25519.signer(new Uint8Array(31)))).toBe(true);
    expect(catchCode(() => p.ed25519.verifier(new Uint8Array(33)))).toBe(true);
    expect(catchCode(() => p.x25519.sharedSecret(x.privateKey, new Uint8Array(32)))).toBe(true); // low order: all-zero secret
  });

  it('agrees on X25519 with RFC 7748 §6.1', () => {
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(hexEncode(p.x25519.publicKeyOf(alice))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hexEncode(p.x25519.publicKeyOf(bob))).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hexEncode(p.x25519.sharedSecret(alice, p.x25519.publicKeyOf(bob)))).toBe(shared);
    expect(hexEncode(p.x25519.sharedSecret(bob, p.x25519.publicKeyOf(alice)))).toBe(shared);
    const pem = p.x25519.exportPrivatePem(alice);
    expect(hexEncode(p.x25519.importPrivatePem(pem))).toBe(hexEncode(alice));
    expect(hexEncode(p.x25519.importPublicPem(p.x25519.exportPublicPem(p.x25519.publicKeyOf(bob))))).toBe(
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
  });

  it('derives HKDF-SHA256 per RFC 5869 (tests 1 and 3: zero salt)', () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    expect(hexEncode(p.hkdfSha256(ikm, hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
    const zeroSalt = '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8';
    expect(hexEncode(p.hkdfSha256(ikm, undefined, new Uint8Array(0), 42))).toBe(zeroSalt);
    expect(hexEncode(p.hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42))).toBe(zeroSalt);
  });

  it('seals and opens ChaCha20-Poly1305 per RFC 8439 §2.8.2', () => {
    const plaintext = utf8Encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('070000004041424344454647');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const sealed = p.chacha20poly1305.seal(key, nonce, plaintext, aad);
    expect(hexEncode(sealed)).toBe(
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116' +
        '1ae10b594f09e26a7e902ecbd0600691',
    );
    expect(hexEncode(p.chacha20poly1305.open(key, nonce, sealed, aad))).toBe(hexEncode(plaintext));
    const tampered = Uint8Array.from(sealed);
    tampered[0]! ^= 1;
    expect(() => p.chacha20poly1305.open(key, nonce, tampered, aad)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    expect(() => p.chacha20poly1305.open(key, nonce, sealed, utf8Encode('other'))).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED' }),
    );
  });

  it('seals and opens AES-256-GCM (GCM spec test case 16)', () => {
    const key = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const nonce = hex('cafebabefacedbaddecaf888');
    const plaintext = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const sealed = p.aes256gcm.seal(key, nonce, plaintext, aad);
    expect(hexEncode(sealed)).toBe(
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
        '76fc6ece0f4e1768cddf8853bb2d551b',
    );
    expect(p.aes256gcm.open(key, nonce, sealed, aad)).toEqual(plaintext);
    expect(() => p.aes256gcm.open(key, nonce, sealed.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
  });

  it('hashes SHA-256, compares in constant time and draws random bytes', () => {
    expect(hexEncode(p.sha256(utf8Encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(p.timingSafeEqual(hex('0102'), hex('0102'))).toBe(true);
    expect(p.timingSafeEqual(hex('0102'), hex('0103'))).toBe(false);
    expect(p.timingSafeEqual(hex('0102'), hex('010203'))).toBe(false);
    const a = p.randomBytes(32);
    expect(a).toHaveLength(32);
    expect(hexEncode(a)).not.toBe(hexEncode(p.randomBytes(32)));
    // Small draws (nonces) never repeat, across pool refills too.
    const nonces = new Set(Array.from({ length: 1000 }, () => hexEncode(p.randomBytes(12))));
    expect(nonces.size).toBe(1000);
  });
});

describe('node:crypto and noble providers', () => {
  it('interoperate: each verifies, decrypts and agrees with what the other produced', async () => {
    const noble = await loadNobleCryptoProvider();
    expect(noble.name).toBe('noble');
    for (const [a, b] of [
      [nodeCryptoProvider, noble],
      [noble, nodeCryptoProvider],
    ] as const) {
      for (let i = 0; i < 8; i++) {
        const keys = a.ed25519.generateKeyPair();
        expect(b.ed25519.publicKeyOf(keys.privateKey)).toEqual(keys.publicKey);
        const message = a.randomBytes(i * 37);
        const signature = a.ed25519.signer(keys.privateKey)(message);
        expect(b.ed25519.signer(keys.privateKey)(message)).toEqual(signature); // deterministic
        expect(b.ed25519.verifier(keys.publicKey)(message, signature)).toBe(true);
        expect(b.ed25519.importPrivatePem(a.ed25519.exportPrivatePem(keys.privateKey))).toEqual(keys.privateKey);

        const alice = a.x25519.generateKeyPair();
        const bob = b.x25519.generateKeyPair();
        expect(b.x25519.publicKeyOf(alice.privateKey)).toEqual(alice.publicKey);
        const secret = a.x25519.sharedSecret(alice.privateKey, bob.publicKey);
        expect(b.x25519.sharedSecret(bob.privateKey, alice.publicKey)).toEqual(secret);
        const key = a.hkdfSha256(secret, undefined, utf8Encode('naylence-sealed-envelope'), 32);
        expect(b.hkdfSha256(secret, undefined, utf8Encode('naylence-sealed-envelope'), 32)).toEqual(key);
        const nonce = a.randomBytes(12);
        for (const aead of ['chacha20poly1305', 'aes256gcm'] as const) {
          const sealed = a[aead].seal(key, nonce, message, utf8Encode('cid'));
          expect(b[aead].open(key, nonce, sealed, utf8Encode('cid'))).toEqual(message);
        }
      }
    }
  });
});
