import { InvalidEnvelopeError, MessageTooLargeError } from '../errors.js';
import { ENVELOPE_KEY_ORDER, type FameEnvelope } from '../wire/envelope.js';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../wire/primitives.js';
import { exceedsUtf8Bytes, utf8ByteLength, utf8Encode } from './utf8.js';

export interface EncodeOptions {
  /** Largest envelope we agree to send, in bytes. Default 262 144 (256 KiB). */
  readonly maxBytes?: number;
  /**
   * `wire` (default) writes known keys in protocol order; `as-is` keeps the object's own key
   * order, which is cheaper and what a forwarding hop wants (the reference forwards envelopes
   * as it received them). Envelopes built with `createEnvelope` are already in wire order.
   */
  readonly keyOrder?: 'wire' | 'as-is';
}

const KNOWN_KEYS: ReadonlySet<string> = new Set(ENVELOPE_KEY_ORDER);

/**
 * Serializes an envelope to JSON text: known keys in the order of protocol-core §1.2, then
 * any unknown keys in their original order; `undefined` values are omitted.
 * @throws MessageTooLargeError when the text exceeds the limit; InvalidEnvelopeError when a value
 *   cannot be serialized (a BigInt, a cycle).
 */
export function serializeEnvelope(envelope: FameEnvelope, options?: EncodeOptions): string {
  const text = stringify(envelope, options);
  const limit = options?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (exceedsUtf8Bytes(text, limit)) throw new MessageTooLargeError(utf8ByteLength(text), limit);
  return text;
}

function stringify(envelope: FameEnvelope, options: EncodeOptions | undefined): string {
  try {
    return JSON.stringify(options?.keyOrder === 'as-is' ? envelope : inWireOrder(envelope));
  } catch (cause) {
    throw new InvalidEnvelopeError('', `envelope is not serializable as JSON: ${(cause as Error).message}`, { cause });
  }
}

function inWireOrder(envelope: FameEnvelope): Record<string, unknown> {
  const source = envelope as unknown as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of ENVELOPE_KEY_ORDER) {
    const value = source[key];
    if (value !== undefined) ordered[key] = value;
  }
  for (const key in source) {
    if (!KNOWN_KEYS.has(key)) ordered[key] = source[key];
  }
  return ordered;
}

/**
 * Serializes an envelope to UTF-8 JSON bytes (see {@link serializeEnvelope}): what a link hands
 * its transport, encoded once, so the transport never re-encodes and byte counts are exact.
 */
export function encodeEnvelope(envelope: FameEnvelope, options?: EncodeOptions): Uint8Array {
  const bytes = utf8Encode(stringify(envelope, options));
  const limit = options?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.byteLength > limit) throw new MessageTooLargeError(bytes.byteLength, limit);
  return bytes;
}
