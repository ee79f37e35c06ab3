import { FameError, isFameError, validateEnvelope, type NodeWelcomeFrame } from '@naylence/core';
import { camelCaseKeys, isJsonObject, type JsonObject } from './casing.js';
import { parseConnectionGrants, type ConnectionGrant } from './grants.js';

/**
 * The result of admission (a `NodeWelcome`, admission-and-http §1): the node's final id, where
 * it sits, what it may bind, until when, and how to connect.
 */
export interface Welcome {
  readonly systemId: string;
  readonly instanceId: string;
  /** The node's path under its parent (welcome services); absent for direct admission (it comes with NodeAttachAck). */
  readonly assignedPath?: string;
  readonly targetSystemId?: string;
  readonly targetPhysicalPath?: string;
  readonly acceptedLogicals?: readonly string[];
  readonly acceptedCapabilities?: readonly string[];
  readonly rejectedLogicals?: readonly string[];
  /** Parsed, in the welcome's order; the attach grant is the first of purpose `node.attach` a program can dial. */
  readonly connectionGrants: readonly ConnectionGrant[];
  /** Admission must be renewed before this (the fabric's dialer re-admits ahead of it). */
  readonly expiresAt?: Date;
  readonly metadata?: JsonObject;
  /** The frame as received (camelCase). */
  readonly frame: NodeWelcomeFrame;
}

/**
 * Reads a `NodeWelcome` frame (already camelCase).
 * @throws FameError `ADMISSION_FAILED` when a grant or `expiresAt` is unusable
 */
export function welcomeFromFrame(frame: NodeWelcomeFrame): Welcome {
  let connectionGrants: ConnectionGrant[];
  try {
    connectionGrants = parseConnectionGrants(frame.connectionGrants);
  } catch (error) {
    throw new FameError('ADMISSION_FAILED', `the welcome has an unusable grant: ${(error as Error).message}`, { cause: error });
  }
  let expiresAt: Date | undefined;
  if (frame.expiresAt !== undefined) {
    expiresAt = new Date(frame.expiresAt);
    if (Number.isNaN(expiresAt.getTime()))
      throw new FameError('ADMISSION_FAILED', `the welcome has an invalid expiresAt ${frame.expiresAt}`);
  }
  return Object.freeze({
    systemId: frame.systemId,
    instanceId: frame.instanceId,
    ...(frame.assignedPath !== undefined && { assignedPath: frame.assignedPath }),
    ...(frame.targetSystemId !== undefined && { targetSystemId: frame.targetSystemId }),
    ...(frame.targetPhysicalPath !== undefined && { targetPhysicalPath: frame.targetPhysicalPath }),
    ...(frame.acceptedLogicals !== undefined && { acceptedLogicals: frame.acceptedLogicals }),
    ...(frame.acceptedCapabilities !== undefined && { acceptedCapabilities: frame.acceptedCapabilities }),
    ...(frame.rejectedLogicals !== undefined && { rejectedLogicals: frame.rejectedLogicals }),
    connectionGrants,
    ...(expiresAt !== undefined && { expiresAt }),
    ...(frame.metadata !== undefined && { metadata: frame.metadata }),
    frame,
  });
}

/**
 * Reads a welcome service's answer: a NodeWelcome envelope in any casing (every key is
 * camel-cased first, as the reference's client does, so `token_provider` becomes
 * `tokenProvider`), validated with core's envelope schema.
 * @throws FameError `ADMISSION_FAILED` when the body is not a NodeWelcome envelope
 */
export function parseWelcomeEnvelope(body: unknown): Welcome {
  if (!isJsonObject(body)) throw new FameError('ADMISSION_FAILED', 'the welcome service did not answer with a JSON object');
  const envelope = camelCaseKeys(body);
  let frame: NodeWelcomeFrame;
  try {
    const decoded = validateEnvelope(envelope);
    if (decoded.frame.type !== 'NodeWelcome') throw new FameError('ADMISSION_FAILED', `unexpected frame type ${decoded.frame.type}`);
    frame = decoded.frame;
  } catch (error) {
    if (isFameError(error, 'ADMISSION_FAILED')) throw error;
    throw new FameError('ADMISSION_FAILED', `the welcome service answered with an invalid NodeWelcome: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return welcomeFromFrame(frame);
}
