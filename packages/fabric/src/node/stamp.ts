import { createEnvelope, ENVELOPE_KEY_ORDER, randomId, type FameEnvelope } from '@naylence/core';
import type { Identity } from './identity.js';

const KNOWN_KEYS: ReadonlySet<string> = new Set(ENVELOPE_KEY_ORDER);

/**
 * The envelope a node originates for `envelope`: `envelope` itself when it already carries
 * what it needs, otherwise a copy with `sid` stamped, and a `corrId` plus the node's system
 * inbox as `replyTo` when it expects an answer and has none. The caller's object is never
 * changed, so it can be sent again. (Copies are built field by field in wire order: spreading
 * an envelope and adding a key costs V8 microseconds.)
 */
export function stamped(envelope: FameEnvelope, identity: Identity): FameEnvelope {
  const sid = envelope.sid ?? identity.sid;
  const wantsAnswer = envelope.rtype !== undefined && envelope.rtype !== 0;
  const replyTo = envelope.replyTo ?? (wantsAnswer && identity.physicalPath !== '' ? identity.systemInbox : undefined);
  const corrId = envelope.corrId ?? (wantsAnswer ? randomId() : undefined);
  if (sid === envelope.sid && replyTo === envelope.replyTo && corrId === envelope.corrId) return envelope;
  const copy = createEnvelope({
    id: envelope.id,
    sid,
    traceId: envelope.traceId,
    to: envelope.to,
    replyTo,
    capabilities: envelope.capabilities,
    rtype: envelope.rtype,
    corrId,
    flowId: envelope.flowId,
    seqId: envelope.seqId,
    flowFlags: envelope.flowFlags,
    ttl: envelope.ttl,
    priority: envelope.priority,
    frame: envelope.frame,
    ts: envelope.ts,
    sec: envelope.sec,
    aft: envelope.aft,
    meta: envelope.meta,
  }) as FameEnvelope & Record<string, unknown>;
  if (envelope.version !== undefined) copy.version = envelope.version;
  for (const key in envelope) if (!KNOWN_KEYS.has(key)) copy[key] = (envelope as unknown as Record<string, unknown>)[key];
  return copy;
}
