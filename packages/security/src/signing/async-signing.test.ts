/**
 * The asynchronous signing path (`signAsync`, `verifyAsync`) over WebCrypto Ed25519 (which Node
 * has too, so the browser's path runs here): byte-identical to the synchronous signatures of
 * the spec vectors, the same refusals, and a fallback to the synchronous Ed25519 where a
 * provider has no asynchronous one.
 */
import { describe, expect, it } from 'vitest';
import { readVector } from '@naylence-tools/conformance';
import { createEnvelope, type FameEnvelope } from '@naylence/core';
import { browserCryptoProvider, loadDefaultCryptoProvider as browserLoad } from '../platform/browser/index.js';
import { loadDefaultCryptoProvider as nodeLoad, nodeCryptoProvider } from '../platform/node/index.js';
import { detectWebCryptoEd25519, webCryptoEd25519, withWebCryptoEd25519 } from '../crypto/webcrypto-ed25519.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { EnvelopeVerifier } from './envelope-verifier.js';

interface SignedVectors {
  signing_key: { kid: string; private_key_pkcs8_pem: string };
  published_jwks: { keys: Record<string, unknown>[] };
  cases: { name: string; physical_path: string; signature_b64url: string; wire_envelope: FameEnvelope }[];
}
const signed = readVector<SignedVectors>('security/signed-envelopes.json');

describe('WebCrypto Ed25519', () => {
  it('is detected here (Node has it), passes the RFC 8032 probe, and joins the noble provider in browsers', async () => {
    expect(await detectWebCryptoEd25519()).toMatchObject({ name: 'webcrypto' });
    const provider = await browserLoad();
    expect(provider.name).toBe('noble+webcrypto');
    expect(provider.ed25519Async).toBeDefined();
    expect(await withWebCryptoEd25519(provider)).toBe(provider);
    // node:crypto is faster synchronously: Node's default stays without it.
    expect(await nodeLoad()).toBe(nodeCryptoProvider);
  });

  it('signs what noble signs and verifies strictly: a flipped bit or a short signature is false, never a rejection', async () => {
    const ops = webCryptoEd25519(globalThis.crypto.subtle);
    const { privateKey, publicKey } = browserCryptoProvider.ed25519.generateKeyPair();
    const message = new TextEncoder().encode('fame');
    const signature = await ops.signer(privateKey)(message);
    expect(signature).toEqual(browserCryptoProvider.ed25519.signer(privateKey)(message));
    const verify = ops.verifier(publicKey);
    expect(await verify(message, signature)).toBe(true);
    const flipped = signature.slice();
    flipped[10]! ^= 0x40;
    expect(await verify(message, flipped)).toBe(false);
    expect(await verify(message, signature.slice(0, 63))).toBe(false);
    expect(() => ops.signer(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });

  it.each(signed.cases.map((c) => [c.name, c] as const))('signAsync/verifyAsync %s byte-identically to the vector', async (_name, c) => {
    for (const provider of [await browserLoad(), browserCryptoProvider]) {
      const keys = new NodeKeys({ provider, signingKey: signed.signing_key.private_key_pkcs8_pem, signingKid: signed.signing_key.kid });
      const { sec: _sec, ...unsigned } = structuredClone(c.wire_envelope);
      if (unsigned.frame.type === 'Data') delete unsigned.frame.pd;
      const result = await keys.envelopeSigner(c.physical_path).signAsync(unsigned);
      expect(result).toEqual(c.wire_envelope);
      const store = new KeyStore({ provider });
      store.addKeys(signed.published_jwks.keys, c.physical_path);
      const verifier = new EnvelopeVerifier({ provider, keys: store });
      expect((await verifier.verifyAsync(c.wire_envelope, 'final')).physicalPath).toBe(c.physical_path);
    }
  });

  it('verifyAsync refuses as verify does', async () => {
    const provider = await browserLoad();
    const keys = new NodeKeys({ provider });
    const store = new KeyStore({ provider });
    store.addKeys(keys.shareableKeys(), '/hub/page');
    const verifier = new EnvelopeVerifier({ provider, keys: store });
    const envelope = await keys
      .envelopeSigner('/hub/page')
      .signAsync(createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: { x: 1 } } }));
    expect((await verifier.verifyAsync(envelope, 'final')).sid).toBe(envelope.sid);
    const tampered = { ...envelope, frame: { ...envelope.frame, payload: { x: 2 } } } as FameEnvelope;
    await expect(verifier.verifyAsync(tampered, 'final')).rejects.toMatchObject({ failure: 'payload_digest_mismatch' });
    const forged = {
      ...envelope,
      sec: { sig: { ...envelope.sec!.sig!, val: envelope.sec!.sig!.val.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) } },
    };
    await expect(verifier.verifyAsync(forged, 'hop')).rejects.toMatchObject({ failure: 'bad_signature' });
    await expect(verifier.verifyAsync({ ...envelope, sec: undefined } as unknown as FameEnvelope)).rejects.toMatchObject({
      code: 'SIGNATURE_REQUIRED',
    });
  });
});
