import { FameError, validateEnvelope, type NodeHelloFrame } from '@naylence/core';
import { camelCaseKeys, isJsonObject } from '../casing.js';

/**
 * The NodeHello frame of a hello request body (admission-and-http §2.1): an envelope whose
 * members may be in snake_case (the TS client writes `trace_id`, `seq_id`, …) or camelCase, and
 * whose frame may be in either casing too (Python: `system_id`, `instance_id`,
 * `supported_transports`), validated with core's frame schema.
 * @throws FameError `INVALID_HELLO` (422): not an envelope, not a NodeHello, invalid members
 */
export function helloFromRequestBody(body: unknown): NodeHelloFrame {
  if (!isJsonObject(body)) throw new FameError('INVALID_HELLO', 'Invalid hello envelope: expected a JSON object');
  const envelope = camelCaseKeys(body) as Record<string, unknown>;
  const frame = envelope.frame;
  if (!isJsonObject(frame) || frame.type !== 'NodeHello') throw new FameError('INVALID_HELLO', 'Envelope must contain a NodeHello frame');
  try {
    return validateEnvelope(envelope).frame as NodeHelloFrame;
  } catch (error) {
    throw new FameError('INVALID_HELLO', `Invalid hello envelope: ${(error as Error).message}`, { cause: error });
  }
}
