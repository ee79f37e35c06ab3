/**
 * A sentinel's decision on a NodeAttach (the parent side of the seam's `authorizeAttach`):
 *
 * 1. Authentication: a profile whose authorizer is not `noop` admits only links its listener
 *    authenticated (`link.principal`); a listener without an authorizer admits nobody here
 *    rather than everybody (fail closed).
 * 2. The token binds the node (better than the reference): a token naming a node
 *    (`system_id`, or `sub` under token-subject identity) admits only that node.
 * 3. Keys (W5): when the policy exchanges keys, a child presenting none the policy can use, or
 *    a key the key store would refuse (its validator: certificates, …), is refused with the
 *    reason (the reference only logs it); otherwise its keys are kept for the key exchange
 *    and ours go into the NodeAttachAck.
 *
 * Refusals are logged at most once a second.
 */
import type { AttachDecision, Authorizer, AuthorizationContext, Logger, NodeAttachFrame, SecurityLink } from '@naylence/core';
import { rateLimitedLog } from '../authorization/refusal-log.js';
import type { SecurityPolicy } from '../policy/security-policy.js';
import type { KeyExchange } from './key-exchange.js';

export interface AttachAuthorizationOptions {
  /** The profile's authorizer; undefined when the node was built to accept no links. */
  readonly authorizer: Authorizer | undefined;
  /** Its canonical name (`noop`, `oauth2`, `oauth2-gated`, …). */
  readonly authorizerProfile: string;
  readonly policy: SecurityPolicy;
  /** Present when the profile exchanges keys at attach. */
  readonly keys: KeyExchange | undefined;
  readonly logger: Logger;
}

type AttachViolation = (attach: NodeAttachFrame, context: AuthorizationContext) => string | undefined;

export type AttachAuthorization = (attach: NodeAttachFrame, link: SecurityLink) => Promise<AttachDecision>;

export function attachAuthorization(options: AttachAuthorizationOptions): AttachAuthorization {
  const { authorizer, authorizerProfile, policy, keys } = options;
  const log = rateLimitedLog(options.logger);
  const exchangesKeys = policy.requirements().requireKeyExchange && keys !== undefined;
  const violation = (authorizer as { attachViolation?: AttachViolation } | undefined)?.attachViolation;
  const refuse = (attach: NodeAttachFrame, link: SecurityLink, reason: string): AttachDecision => {
    log({ systemId: attach.systemId, role: link.role, principal: link.principal?.principal, reason }, 'attach refused');
    return { accept: false, reason };
  };

  return async (attach, link) => {
    if (authorizerProfile !== 'noop') {
      if (authorizer === undefined) {
        return refuse(attach, link, `this node accepts no links (it was built without its ${authorizerProfile} authorizer)`);
      }
      const principal = link.principal;
      if (principal === undefined || !principal.authenticated) {
        return refuse(attach, link, `Authentication required (authorization profile ${authorizerProfile})`);
      }
      if (authorizer.authorizeAttach !== undefined) {
        const verdict = await authorizer.authorizeAttach(attach, principal);
        if (verdict === false) return refuse(attach, link, violation?.(attach, principal) ?? 'Attach not authorized');
        if (verdict !== true && !verdict.accept) return refuse(attach, link, verdict.reason);
      }
    }
    if (!exchangesKeys) return { accept: true };
    const compatible = policy.validateAttachSecurityCompatibility({ peerKeys: attach.keys ?? [] });
    if (!compatible.ok) return refuse(attach, link, compatible.reason);
    // A presented key the store would drop (a broken JWK, a certificate chain that does not certify it)
    // leaves the node unable to sign anything we accept: refuse now, with the reason, not per envelope later.
    const [bad] = keys.refusedKeys(attach.keys);
    if (bad !== undefined) return refuse(attach, link, `key ${bad.kid ?? '(no kid)'} refused: ${bad.reason}`);
    keys.presented(link, attach.keys);
    return { accept: true, ackFields: { keys: keys.shareableKeys() } };
  };
}
