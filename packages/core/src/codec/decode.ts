import { clipText } from '../clip.js';
import { InvalidEnvelopeError, MessageTooLargeError } from '../errors.js';
import type { FameEnvelope } from '../wire/envelope.js';
import { DEFAULT_MAX_ENVELOPE_BYTES } from '../wire/primitives.js';
import { exceedsUtf8Bytes, utf8ByteLength, utf8Decode } from './utf8.js';
import { validateEnvelope } from './validate.js';

export interface DecodeOptions {
  /** Largest accepted envelope in bytes (UTF-8). Default 262 144 (256 KiB). */
  readonly maxBytes?: number;
}

/**
 * Parses and validates one envelope from a wire message (binary or text frame).
 * @throws MessageTooLargeError, InvalidEnvelopeError or UnknownFrameError; nothing else.
 */
export function decodeEnvelope(input: Uint8Array | string, options?: DecodeOptions): FameEnvelope {
  const limit = options?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  let text: string;
  if (typeof input === 'string') {
    if (exceedsUtf8Bytes(input, limit)) throw new MessageTooLargeError(utf8ByteLength(input), limit);
    text = input;
  } else {
    if (input.byteLength > limit) throw new MessageTooLargeError(input.byteLength, limit);
    try {
      text = utf8Decode(input);
    } catch (cause) {
      throw new InvalidEnvelopeError('', 'invalid envelope: not valid UTF-8', { cause });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidEnvelopeError('', `invalid envelope: malformed JSON (${clipText((cause as Error).message)})`, { cause });
  }
  return validateEnvelope(value);
}
