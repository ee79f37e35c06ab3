import { Type } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { clipText } from '../clip.js';
import { InvalidEnvelopeError, UnknownFrameError } from '../errors.js';
import { randomId } from '../ids.js';
import type { FameEnvelope } from '../wire/envelope.js';
import { envelopeSchemaWith } from '../wire/envelope.js';
import { FRAME_SCHEMAS } from '../wire/frames.js';
import { ADDRESS_PATTERN, TIMESTAMP_PATTERN } from '../wire/primitives.js';

// Validation is split in two compiled checks: the envelope headers with a loose frame
// (`{type: string}`), then the one frame schema selected by `frame.type`. Checking the
// 22-member union directly would try members one by one and report useless errors.

const shellCheck = TypeCompiler.Compile(envelopeSchemaWith(Type.Object({ type: Type.String() })));
const frameChecks = new Map<string, TypeCheck<TSchema>>(FRAME_SCHEMAS.map((s) => [s.properties.type.const, TypeCompiler.Compile(s)]));

/** Reference peers that validate (Python, the TS HTTP listener) accept these six snake_case keys. */
const SNAKE_CASE_KEYS: readonly (readonly [string, string])[] = [
  ['trace_id', 'traceId'],
  ['reply_to', 'replyTo'],
  ['corr_id', 'corrId'],
  ['flow_id', 'flowId'],
  ['seq_id', 'seqId'],
  ['flow_flags', 'flowFlags'],
];

function describe(check: TypeCheck<TSchema>, value: unknown, prefix: string): InvalidEnvelopeError {
  const first = check.Errors(value).First();
  if (!first) return new InvalidEnvelopeError(prefix, `invalid envelope at ${prefix || '/'}`);
  // Paths and values come from the peer: clipped, so one error message stays small.
  const field = clipText(prefix + first.path);
  const pattern = (first.schema as { pattern?: string }).pattern;
  let what = first.message;
  if (pattern === ADDRESS_PATTERN) what = `"${clipText(String(first.value))}" is not a valid FAME address`;
  else if (pattern === TIMESTAMP_PATTERN) what = `"${clipText(String(first.value))}" is not an ISO-8601 UTC timestamp`;
  else if (first.value === undefined) what = 'required field is missing';
  return new InvalidEnvelopeError(field, `invalid envelope: ${field}: ${what}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a parsed JSON value is a FAME envelope and returns it typed, unchanged apart
 * from the documented leniencies:
 * - the six snake_case header keys are renamed to camelCase when the camelCase key is absent
 *   (the reference's auth-failure NodeAttachAck is written that way);
 * - a `Data` frame without `payload` gets `payload: null` (Python omits a null payload);
 * - a missing `id` gets a fresh random id (Python and the TS schema fill this default too).
 *
 * Unknown keys at any level are kept, so a forwarded envelope carries them on.
 * @throws InvalidEnvelopeError (`INVALID_ENVELOPE`) naming the offending field, or
 *   UnknownFrameError (`UNKNOWN_FRAME`).
 */
export function validateEnvelope(value: unknown): FameEnvelope {
  if (!isPlainObject(value)) {
    throw new InvalidEnvelopeError(
      '',
      `invalid envelope: expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  for (let i = 0; i < SNAKE_CASE_KEYS.length; i++) {
    // (by index: destructuring an array runs its iterator, which allocates until optimized)
    const pair = SNAKE_CASE_KEYS[i]!;
    const snake = pair[0];
    const camel = pair[1];
    if (value[snake] !== undefined) {
      if (value[camel] === undefined) value[camel] = value[snake];
      delete value[snake];
    }
  }
  if (value.id === undefined) value.id = randomId();
  const frame = value.frame;
  if (isPlainObject(frame) && frame.type === 'Data' && !('payload' in frame)) frame.payload = null;
  if (!shellCheck.Check(value)) throw describe(shellCheck, value, '');
  const type = (frame as { type: string }).type;
  const frameCheck = frameChecks.get(type);
  if (frameCheck === undefined) throw new UnknownFrameError(type);
  if (!frameCheck.Check(frame)) throw describe(frameCheck, frame, '/frame');
  return value as FameEnvelope;
}
