/**
 * The wire contract of overlay encryption: every case of encryption-vectors.json (produced by
 * the reference add-on) decrypts with our code on both providers, and what we encrypt
 * decrypts with an independent implementation written here from the spec text (§5.2–§5.4)
 * with @noble/* alone, sharing nothing with our modules.
 */
import { describe, expect, it } from 'vitest';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { readVector } from '@naylence-tools/conformance';
import { createEnvelope, decodeEnvelope, type FameEnvelope, type SecureAcceptFrame } from '@naylence/core';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { browserCryptoProvider } from '../platform/browser/index.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { EnvelopeVerifier } from '../signing/envelope-verifier.js';
import { decryptFromChannel, encryptForChannel } from './channel-cipher.js';
import { DefaultSecureChannelManager } from './secure-channel-manager.js';
import { SEALED_AES_ALG, openSealedEnvelope, sealEnvelope } from './sealed-envelope.js';

interface SealedCase {
  name: string;
  sender_physical_path?: string;
  wire_envelope: FameEnvelope;
}
interface ChannelCase {
  name: string;
  plaintext_payload: unknown;
  wire_envelope: FameEnvelope;
}
interface EncryptionVectors {
  sealed: {
    recipient: { kid: string; private_key_raw_b64url: string; public_key_raw_b64url: string };
    plaintext_payload: unknown;
    envelopes: SealedCase[];
  };
  channel: {
    channel_id: string;
    secure_open_frame_wire: Record<string, unknown>;
    initiator_ephemeral_private_raw_b64url: string;
    secure_accept_frame_wire: SecureAcceptFrame;
    channel_key_hex_initiator: string;
    envelopes: ChannelCase[];
  };
  cross_checks: { channel_decrypt_independent: { name: string; plaintext_utf8: string }[] };
  ts_sealed_envelope: { wire_envelope: FameEnvelope; python_reference_decrypted_frame: Record<string, unknown> };
}

const vectors = readVector<EncryptionVectors>('security/encryption-vectors.json');
const signedVectors = readVector<{ published_jwks: { keys: Record<string, unknown>[] } }>('security/signed-envelopes.json');

const b64 = (text: string) => new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);
/** As received: decoded from its JSON, so nothing is shared with the vector's objects. */
const received = (envelope: FameEnvelope) => decodeEnvelope(utf8(JSON.stringify(envelope)));

// ---- The independent implementation: the spec text, @noble/* and Buffer, nothing of ours. ----
const independent = {
  /** §5.2: blob = ePub(32) ‖ nonce(12) ‖ C; K = HKDF-SHA256(X25519(d, ePub), no salt, "naylence-sealed-envelope"). */
  openSealed(envelope: FameEnvelope, recipientPrivate: Uint8Array): { original_codec: unknown; payload: unknown } {
    const enc = envelope.sec!.enc!;
    const prefix = b64(enc.val);
    const key = hkdf(
      sha256,
      x25519.getSharedSecret(recipientPrivate, prefix.slice(0, 32)),
      undefined,
      utf8('naylence-sealed-envelope'),
      32,
    );
    const cipher = enc.alg === 'aes-256-gcm' ? gcm(key, prefix.slice(32, 44)) : chacha20poly1305(key, prefix.slice(32, 44));
    const plaintext = cipher.decrypt(b64((envelope.frame as { payload: string }).payload));
    return JSON.parse(new TextDecoder().decode(plaintext)) as { original_codec: unknown; payload: unknown };
  },
  /** §5.3: K = HKDF-SHA256(X25519(own ephemeral, peer ephPub), no salt, "fame-channel:" + cid). */
  channelKey(cid: string, ownPrivate: Uint8Array, peerEphPub: string): Uint8Array {
    return hkdf(sha256, x25519.getSharedSecret(ownPrivate, b64(peerEphPub)), undefined, utf8(`fame-channel:${cid}`), 32);
  },
  /** §5.4: AAD = cid, nonce = 24 hex chars, payload = std base64 of C; JSON if it parses. */
  openChannel(envelope: FameEnvelope, key: Uint8Array): unknown {
    const enc = envelope.sec!.enc!;
    expect(enc.alg).toBe('chacha20-poly1305-channel');
    expect(enc.val).toMatch(/^[0-9a-f]{24}$/);
    const text = new TextDecoder().decode(
      chacha20poly1305(key, Buffer.from(enc.val, 'hex'), utf8(enc.kid!)).decrypt(b64((envelope.frame as { payload: string }).payload)),
    );
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  },
  sealChannel(payload: unknown, cid: string, key: Uint8Array): FameEnvelope {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const plaintext = utf8(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const ciphertext = chacha20poly1305(key, nonce, utf8(cid)).encrypt(plaintext);
    return createEnvelope({
      to: 'math@fame.fabric',
      frame: { type: 'Data', codec: 'b64', payload: Buffer.from(ciphertext).toString('base64') },
      sec: { enc: { alg: 'chacha20-poly1305-channel', kid: cid, val: hex(nonce) } },
    });
  },
};

describe.each([
  ['node:crypto', nodeCryptoProvider],
  ['noble', browserCryptoProvider],
] as const)('encryption vectors with %s', (_name, provider) => {
  const recipientPrivate = b64(vectors.sealed.recipient.private_key_raw_b64url);

  it('derive the recipient public key of the sealed vectors', () => {
    expect(hex(provider.x25519.publicKeyOf(recipientPrivate))).toBe(hex(b64(vectors.sealed.recipient.public_key_raw_b64url)));
  });

  it.each(vectors.sealed.envelopes.map((c) => [c.name, c] as const))('open sealed %s (Python, padded base64url, spaced JSON)', (_n, c) => {
    const wire = received(c.wire_envelope);
    const before = structuredClone(wire);
    const opened = openSealedEnvelope(provider, wire, recipientPrivate);
    expect(wire).toEqual(before); // never mutated
    expect(opened.frame).toMatchObject({ type: 'Data', payload: vectors.sealed.plaintext_payload });
    expect(opened.frame).not.toHaveProperty('codec'); // original_codec was null
    if (c.wire_envelope.sec?.sig) {
      // Signed then sealed: the signature verifies at a hop (advertised pd), and after opening
      // the payload hashes to that pd (our W1 check ran inside openSealedEnvelope).
      expect(opened.sec).toEqual({ sig: c.wire_envelope.sec.sig });
      expect(opened.frame).toMatchObject({ pd: 'G9ZUfe65UsB5GmJKKEwgv' });
      const store = new KeyStore({ provider });
      store.addKeys(signedVectors.published_jwks.keys, c.sender_physical_path!);
      const verifier = new EnvelopeVerifier({ provider, keys: store });
      expect(verifier.verify(wire, 'hop').physicalPath).toBe(c.sender_physical_path);
      expect(verifier.verify(opened, 'final').physicalPath).toBe(c.sender_physical_path);
    } else {
      expect(opened).not.toHaveProperty('sec');
    }
  });

  it('open the TS-produced sealed envelope (unpadded base64url, compact JSON)', () => {
    const opened = openSealedEnvelope(provider, received(vectors.ts_sealed_envelope.wire_envelope), recipientPrivate);
    expect(opened.frame).toEqual(vectors.ts_sealed_envelope.python_reference_decrypted_frame);
  });

  it('derive the channel key of the handshake vectors and decrypt both channel envelopes', () => {
    const { channel } = vectors;
    const initiator = b64(channel.initiator_ephemeral_private_raw_b64url);
    expect(provider.x25519.publicKeyOf(initiator)).toEqual(b64(channel.secure_open_frame_wire.ephPub as string));
    const shared = provider.x25519.sharedSecret(initiator, b64(channel.secure_accept_frame_wire.ephPub));
    const key = provider.hkdfSha256(shared, undefined, utf8(`fame-channel:${channel.channel_id}`), 32);
    expect(hex(key)).toBe(channel.channel_key_hex_initiator);
    for (const c of channel.envelopes) {
      const { envelope: opened, nonce } = decryptFromChannel(provider, received(c.wire_envelope), key);
      expect(hex(nonce)).toBe(c.wire_envelope.sec!.enc!.val);
      expect(opened.frame).toEqual({ type: 'Data', codec: 'json', payload: c.plaintext_payload });
      expect(opened).not.toHaveProperty('sec');
    }
  });

  it('seal so that the independent implementation opens it, with both AEADs and any codec', () => {
    const recipient = new NodeKeys({ provider });
    const pair = provider.x25519.generateKeyPair();
    for (const alg of [undefined, SEALED_AES_ALG]) {
      for (const frame of [
        { type: 'Data' as const, payload: { op: 'add', args: [1, 2], text: 'ünïcødé ✓' } },
        { type: 'Data' as const, codec: 'b64' as const, payload: 'AAEC' },
        { type: 'Data' as const, payload: 'plain string' },
      ]) {
        const envelope = createEnvelope({ to: 'math@fame.fabric', frame });
        const sealed = sealEnvelope(provider, envelope, { recipientPublicKey: pair.publicKey, recipientKid: 'k1', ...(alg && { alg }) });
        expect(sealed.sec!.enc).toMatchObject({ alg: alg ?? 'ECDH-ES+A256GCM', kid: 'k1' });
        expect(sealed.frame).toMatchObject({ codec: 'b64' });
        expect((sealed.frame as { payload: string }).payload).not.toMatch(/[=+/]/); // base64url, unpadded
        expect(independent.openSealed(sealed, pair.privateKey)).toEqual({ original_codec: frame.codec ?? null, payload: frame.payload });
        expect(openSealedEnvelope(provider, sealed, pair.privateKey).frame).toEqual(frame);
      }
    }
    // Without a kid the reference's stub is written, and NodeKeys opens what is sealed to it.
    const toNode = sealEnvelope(provider, createEnvelope({ frame: { type: 'Data', payload: 1 } }), {
      recipientPublicKey: recipient.encryptionPublicKey,
    });
    expect(toNode.sec!.enc!.kid).toBe('recip-kid-stub');
    expect(openSealedEnvelope(provider, toNode, recipient).frame).toEqual({ type: 'Data', payload: 1 });
  });

  it('run a channel handshake against the independent implementation, both directions', () => {
    const channels = new DefaultSecureChannelManager({ provider });
    const open = channels.open('math@fame.fabric');
    expect(open).toMatchObject({ type: 'SecureOpen', alg: 'CHACHA20P1305', opts: 0 });
    expect(open.cid).toMatch(/^auto-math@fame\.fabric-[0-9A-Za-z]{16}$/);
    expect(open.ephPub).toMatch(/^[A-Za-z0-9+/]{43}=$/); // standard base64, padded
    // The independent responder.
    const responderPrivate = x25519.utils.randomSecretKey();
    const key = independent.channelKey(open.cid, responderPrivate, open.ephPub);
    const accept: SecureAcceptFrame = {
      type: 'SecureAccept',
      ok: true,
      cid: open.cid,
      ephPub: Buffer.from(x25519.getPublicKey(responderPrivate)).toString('base64'),
      alg: 'CHACHA20P1305',
    };
    expect(channels.handleAccept(accept)).toEqual({ status: 'established', cid: open.cid, destination: 'math@fame.fabric' });

    for (const payload of [{ jsonrpc: '2.0', id: 7, method: 'add', params: { x: 1 } }, 'hello', 42, [true, null]]) {
      const ours = channels.encrypt(createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload } }), open.cid);
      expect((ours.frame as { payload: string }).payload).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      expect(independent.openChannel(ours, key)).toEqual(payload);
      const theirs = independent.sealChannel(payload, open.cid, key);
      expect(channels.decrypt(theirs).frame).toEqual({ type: 'Data', codec: 'json', payload });
    }
    // And the plain primitives agree with it for a fixed nonce.
    const fixed = encryptForChannel(provider, createEnvelope({ frame: { type: 'Data', payload: 'x' } }), open.cid, key, new Uint8Array(12));
    expect(fixed.sec!.enc!.val).toBe('000000000000000000000000');
    expect(independent.openChannel(fixed, key)).toBe('x');
  });
});
