/**
 * Copies of envelopes with some fields changed: signing and encryption never mutate the
 * envelope they are given (a caller may still hold it, log it or retry with it).
 */
import { ENVELOPE_KEY_ORDER, type FameEnvelope } from '@naylence/core';

export type EnvelopeField = (typeof ENVELOPE_KEY_ORDER)[number];

const KNOWN: ReadonlySet<string> = new Set(ENVELOPE_KEY_ORDER);

/**
 * A copy of `envelope` with `changes` applied (an `undefined` value removes the field). When
 * the changes only replace fields the envelope has, the copy keeps its key order; otherwise
 * known keys come in wire order, unknown keys after them.
 */
export function withEnvelopeChanges<E extends FameEnvelope>(envelope: FameEnvelope, changes: Partial<Record<EnvelopeField, unknown>>): E {
  const source = envelope as unknown as Record<string, unknown>;
  if (replacesOnly(source, changes)) return Object.assign({}, source, changes) as unknown as E;
  const out: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEY_ORDER) {
    const value = key in changes ? changes[key] : source[key];
    if (value !== undefined) out[key] = value;
  }
  for (const key in source) if (!KNOWN.has(key)) out[key] = source[key];
  return out as unknown as E;
}

/**
 * Whether every change gives a new value to a field the envelope already has: then a plain
 * copy is the same envelope, in the source's order (wire order for envelopes built with
 * `createEnvelope`, signed or decoded here), at a fraction of the cost of rebuilding it. That
 * is the per-message case: encrypting a signed envelope, decrypting one. (`Object.assign` onto
 * `{}`, not a spread: V8 gives spread copies shapes of their own, and the link's encoding of
 * such a copy, which adds the hop's flow fields, cost more than the whole rebuild.)
 */
function replacesOnly(source: Record<string, unknown>, changes: Partial<Record<EnvelopeField, unknown>>): boolean {
  for (const key in changes) {
    if (changes[key as EnvelopeField] === undefined || source[key] === undefined) return false;
  }
  return true;
}
