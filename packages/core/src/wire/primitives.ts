import { Type } from '@sinclair/typebox';

/**
 * FAME address grammar (protocol-core §2.1) as one regular expression:
 * `participant "@" (path | host | host path)`, where `*` may only be the leftmost host label
 * and never a path segment.
 */
export const ADDRESS_PATTERN =
  '^[A-Za-z0-9_-]+@(?:/|(?:/[A-Za-z0-9._-]+)+|(?:\\*|[A-Za-z0-9-]+)(?:\\.[A-Za-z0-9-]+)*(?:/|(?:/[A-Za-z0-9._-]+)+)?)$';

/**
 * ISO-8601 UTC timestamp. We emit exactly three fractional digits and `Z`; on input any
 * fractional precision (Python writes six) and an explicit offset are accepted.
 */
export const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})$';

export const AddressString = (description = 'FAME address, e.g. `math@fame.fabric` or `__sys__@/sentinel/agent`') =>
  Type.String({ pattern: ADDRESS_PATTERN, description });

export const Timestamp = (description = 'ISO-8601 UTC timestamp') => Type.String({ pattern: TIMESTAMP_PATTERN, description });

export const StringList = (description: string) => Type.Array(Type.String(), { description });

/** `flowFlags` bits (protocol-core §6.1). */
export const FlowFlags = {
  NONE: 0,
  /** First envelope of a flow on this link. */
  SYN: 1,
  /** Credit update. */
  ACK: 2,
  /** Flow teardown: the sender has reset its state for this flow. */
  RESET: 4,
} as const;

/** `rtype` bits: what the sender expects back (protocol-core §1.2). */
export const ResponseType = {
  NONE: 0,
  ACK: 1,
  REPLY: 2,
  STREAM: 4,
} as const;

export const PRIORITIES = ['low', 'normal', 'high', 'speculative'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ORIGIN_TYPES = ['downstream', 'peer'] as const;
export type OriginType = (typeof ORIGIN_TYPES)[number];

/** Envelope format version written by this implementation (and the reference). */
export const ENVELOPE_VERSION = '1.0';

/** Default limit on a serialized envelope, in bytes (protocol-core §1.5). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 262_144;
