import type { NodeAttachFrame } from '@naylence/core';
import { stringClaim } from '../jwt/claims.js';
import { subjectFingerprint } from './subject-fingerprint.js';

export interface NodeBindingOptions {
  /** Token-subject identity: the attaching id must start with `<fingerprint(sub, 8)>-`. */
  readonly enforceTokenSubjectNodeIdentity?: boolean;
  /** A token holding this scope is exempt from the subject check (not from `system_id`). */
  readonly trustedClientScope?: string;
}

/**
 * Why `attach` does not match the token that opened its link, or undefined when it does.
 *
 * Better than the reference (weakness S1), always on: a token naming a node with `system_id`
 * (welcome attach tokens) admits only that `systemId`; its `assigned_path` must equal a declared
 * `assignedPath`, and declared `acceptedLogicals` must be among the token's `accepted_logicals`.
 * With token-subject identity, as the reference: the id must start with `<fingerprint(sub, 8)>-`
 * unless the token holds the trusted client scope.
 */
export function nodeBindingViolation(
  attach: NodeAttachFrame,
  claims: Readonly<Record<string, unknown>>,
  grantedScopes: readonly string[],
  options: NodeBindingOptions = {},
): string | undefined {
  const systemId = stringClaim(claims, 'system_id');
  if (systemId !== undefined && attach.systemId !== systemId) {
    return `the token is for node ${JSON.stringify(systemId)}, not ${JSON.stringify(attach.systemId)}`;
  }
  const assignedPath = stringClaim(claims, 'assigned_path');
  if (assignedPath !== undefined && attach.assignedPath !== undefined && attach.assignedPath !== assignedPath) {
    return `the token assigns path ${JSON.stringify(assignedPath)}, the attach declares ${JSON.stringify(attach.assignedPath)}`;
  }
  const logicals = claims.accepted_logicals;
  if (Array.isArray(logicals) && attach.acceptedLogicals !== undefined) {
    const extra = attach.acceptedLogicals.filter((l) => !logicals.includes(l));
    if (extra.length > 0) return `logicals not granted by the token: ${extra.join(', ')}`;
  }
  if (options.enforceTokenSubjectNodeIdentity) {
    const trusted = options.trustedClientScope;
    if (trusted === undefined || !grantedScopes.includes(trusted)) {
      const sub = stringClaim(claims, 'sub');
      if (sub === undefined) return 'token-subject identity is enforced and the token has no sub';
      const prefix = `${subjectFingerprint(sub)}-`;
      if (!attach.systemId.startsWith(prefix)) {
        return `token-subject identity: ${JSON.stringify(attach.systemId)} does not start with ${JSON.stringify(prefix)}`;
      }
    }
  }
  return undefined;
}
