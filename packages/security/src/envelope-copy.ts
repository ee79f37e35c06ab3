/**
 * Copies of envelopes with some fields changed: signing and encryption never mutate the
 * envelope they are given (a caller may still hold it, log it or retry with it).
 */
import { ENVELOPE_KEY_ORDER, type FameEnvelope } from '@naylence/core';

export type EnvelopeField = (typeof ENVELOPE_KEY_ORDER)[number];

const KNOWN: ReadonlySet<string> = new Set(ENVELOPE_KEY_ORDER);

/**
 * A copy of `envelope` with `changes` applied (an `undefined` value removes the field), known
 * keys in wire order, unknown keys after them.
 */
export function withEnvelopeChanges<E extends FameEnvelope>(envelope: FameEnvelope, changes: Partial<Record<EnvelopeField, unknown>>): E {
  const source = envelope as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEY_ORDER) {
    const value = key in changes ? changes[key] : source[key];
    if (value !== undefined) out[key] = value;
  }
  for (const key in source) if (!KNOWN.has(key)) out[key] = source[key];
  return out as unknown as E;
}
