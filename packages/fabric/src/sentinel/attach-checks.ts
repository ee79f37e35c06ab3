import {
  authenticatedSubject,
  systemIdProblem,
  type AttachAckFields,
  type AttachDecision,
  type NodeAttachFrame,
  type NodeSecurity,
} from '@naylence/core';
import type { LinkTable, Neighbour } from './link-table.js';

/** A refusal of a NodeAttach: the ack's reason and code. */
export interface AttachRefusal {
  readonly reason: string;
  readonly code?: string;
}

/**
 * What a NodeAttach must satisfy before authorization: its system id and origin type match the
 * attach URL, and the system id is a valid path segment (no `/`, no percent-encoded separators,
 * no control characters, bounded length).
 */
export function attachFrameProblem(frame: NodeAttachFrame, n: Neighbour): AttachRefusal | undefined {
  const originType = frame.originType ?? 'downstream';
  const expected = n.peer.role === 'peer' ? 'peer' : 'downstream';
  if (frame.systemId !== n.peer.systemId)
    return { reason: `systemId ${frame.systemId} does not match the attach URL (${n.peer.systemId})` };
  if (originType !== expected) return { reason: `originType ${originType} does not match the attach URL (${expected})` };
  const invalid = systemIdProblem(frame.systemId);
  if (invalid !== undefined) return { reason: `invalid system id: ${invalid}` };
  return undefined;
}

/**
 * Whether `n` may take the system id it claims. A live link keeps its id against everyone but
 * the same authenticated token subject (who replaces it, as the reference does for any
 * re-attach): an open listener or a shared secret identifies no node, so their holders cannot
 * take over a live link. A link that is gone (or one this sentinel dialed itself) is replaced.
 */
export function takeoverProblem(table: LinkTable, n: Neighbour): AttachRefusal | undefined {
  const current = table.live(n.peer.systemId);
  if (current === undefined || current === n || current.dialed) return undefined;
  const subject = authenticatedSubject(n.peer.principal);
  if (subject !== undefined && subject === authenticatedSubject(current.peer.principal)) return undefined;
  return { reason: `system id ${n.peer.systemId} is in use by a live link`, code: 'SYSTEM_ID_IN_USE' };
}

/** The listener's authorizer, then the security component; the first refusal wins. */
export async function authorizeAttach(frame: NodeAttachFrame, n: Neighbour, security: NodeSecurity | undefined): Promise<AttachDecision> {
  const principal = n.peer.principal;
  let ackFields: AttachAckFields | undefined;
  if (n.authorizer?.authorizeAttach && principal !== undefined) {
    const verdict = await n.authorizer.authorizeAttach(frame, principal);
    if (verdict === false) return { accept: false, reason: 'Attach not authorized' };
    if (verdict !== true && !verdict.accept) return verdict;
    if (verdict !== true) ackFields = verdict.ackFields;
  }
  if (security?.authorizeAttach === undefined) return { accept: true, ...(ackFields && { ackFields }) };
  const decision = await security.authorizeAttach(frame, n.peer);
  if (!decision.accept) return decision;
  return { accept: true, ackFields: { ...decision.ackFields, ...ackFields } };
}
