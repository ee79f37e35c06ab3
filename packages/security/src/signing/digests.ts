/**
 * The digests a signature covers (protocol-security §3.2–§3.7): `secureDigest`, the payload
 * digest `pd`, the frame digest, the immutable headers and the bytes to be signed.
 * Synchronous: they hash with the crypto provider (core's `secureDigest` is asynchronous
 * because it may need WebCrypto; this one gives the same text, see the tests).
 */
import { base62FromBytes, ENVELOPE_VERSION, type FameEnvelope, type FameFrame } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { utf8Encode } from '../crypto/encoding.js';
import { canonicalJson, withoutNulls } from './canonical-json.js';
import { materializeFrame } from './frame-defaults.js';

/** `secureDigest(text)`: base62 of the first 16 bytes of SHA-256(UTF-8 text) (§3.2). */
export function secureDigestSync(provider: CryptoProvider, text: string): string {
  return base62FromBytes(provider.sha256(utf8Encode(text)).subarray(0, 16));
}

/**
 * `pd` of a Data frame's payload (§3.4): the digest of `""` for a null or absent payload and,
 * as the TS reference does, for the empty string `""`; otherwise of its canonical JSON.
 */
export function payloadDigest(provider: CryptoProvider, payload: unknown): string {
  return secureDigestSync(provider, payload === null || payload === undefined || payload === '' ? '' : canonicalJson(payload));
}

/** Canonical JSON of a non-Data frame as its digest sees it (§3.5): schema view, nulls removed. */
export function frameDigestInput(frame: FameFrame): string {
  return canonicalJson(withoutNulls(materializeFrame(frame)));
}

/**
 * The frame digest of §3.5: `pd` for a Data frame (taken as given; the caller decides whether
 * to trust or recompute it), else secureDigest of {@link frameDigestInput}.
 */
export function frameDigest(provider: CryptoProvider, frame: FameFrame): string | undefined {
  if (frame.type === 'Data') return frame.pd;
  return secureDigestSync(provider, frameDigestInput(frame));
}

const json = JSON.stringify;

/**
 * Canonical JSON of the eight immutable headers (§3.6), written directly in their sorted key
 * order. As in the TS reference: `version` defaults to `"1.0"`, an empty `to`/`replyTo` is
 * `null`, an empty `sid` stays `""`.
 */
export function immutableHeadersJson(envelope: FameEnvelope): string {
  const capabilities = envelope.capabilities === undefined ? 'null' : canonicalJson(envelope.capabilities);
  return (
    `{"capabilities":${capabilities}` +
    `,"corr_id":${envelope.corrId === undefined ? 'null' : json(envelope.corrId)}` +
    `,"id":${json(envelope.id)}` +
    `,"reply_to":${envelope.replyTo ? json(envelope.replyTo) : 'null'}` +
    `,"sid":${envelope.sid === undefined ? 'null' : json(envelope.sid)}` +
    `,"to":${envelope.to ? json(envelope.to) : 'null'}` +
    `,"trace_id":${envelope.traceId === undefined ? 'null' : json(envelope.traceId)}` +
    `,"version":${json(envelope.version ?? ENVELOPE_VERSION)}}`
  );
}

/** TBS = UTF-8(S ␟ canonicalJSON(immutable headers) ␟ frameDigest) (§3.7). */
export function bytesToSign(sid: string, envelope: FameEnvelope, digest: string): Uint8Array {
  return utf8Encode(`${sid}\u001f${immutableHeadersJson(envelope)}\u001f${digest}`);
}
