import type { NodeAttachAckFrame, NodeAttachFrame } from '../wire/frames.js';

/** A bearer token and when it stops being valid. */
export interface AccessToken {
  readonly value: string;
  readonly expiresAt?: Date;
}

/** Supplies tokens to connectors (auth injection). Implementations cache and refresh. */
export interface TokenProvider {
  getToken(signal?: AbortSignal): Promise<AccessToken>;
  /**
   * Who the tokens are for: the `sub` of the current token, decoded **without verification**
   * (admission-and-http §5.1). Only the token-subject node identity policy uses it (§7), to
   * derive a node id its parent will check. Absent or undefined = no identity.
   */
  getIdentity?(signal?: AbortSignal): Promise<{ readonly subject: string } | undefined>;
}

/** What an authorizer learned about a peer (admission-and-http §6). */
export interface AuthorizationContext {
  readonly authenticated: boolean;
  readonly authorized?: boolean;
  readonly principal?: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly grantedScopes?: readonly string[];
  /** e.g. `shared-secret`, `jwt`, `none`. */
  readonly authMethod?: string;
}

/** NodeAttachAck members an attach decision may add (e.g. the parent's `keys`). */
export type AttachAckFields = Readonly<Partial<Omit<NodeAttachAckFrame, 'type' | 'ok' | 'refId' | 'code' | 'reason'>>>;

/**
 * Whether a sentinel admits a NodeAttach. A refusal is answered with `NodeAttachAck{ok:false,
 * reason}` and the link closes with 1008.
 */
export type AttachDecision =
  { readonly accept: true; readonly ackFields?: AttachAckFields } | { readonly accept: false; readonly reason: string };

/**
 * Authenticates links when they open (a WebSocket upgrade, an HTTP request) and may vet the
 * NodeAttach that follows. Listeners call `authenticate`; the sentinel calls `authorizeAttach`
 * for every NodeAttach on a link that listener accepted. Implementations live in
 * `@naylence/security`.
 */
export interface Authorizer {
  /**
   * @param credentials the credential as presented, normally `"Bearer <token>"`; undefined when
   *   the peer presented none
   * @returns the context, or undefined to refuse the link
   */
  authenticate(credentials: string | undefined): Promise<AuthorizationContext | undefined>;
  /**
   * Vet a NodeAttach from a link this authorizer authenticated (`context` is what
   * `authenticate` returned). `false` refuses with a generic reason; a decision may give the
   * reason or add NodeAttachAck fields. Absent = accept.
   */
  authorizeAttach?(attach: NodeAttachFrame, context: AuthorizationContext): Promise<boolean | AttachDecision>;
}

/**
 * The token subject (`sub` claim) an authorizer verified for a link, or undefined when the
 * link has none: an open listener, a shared secret (every holder is the same "user"), a token
 * without `sub`. Two links are the same node's only when both carry the same subject; nothing
 * else may take over a live link's system id.
 */
export function authenticatedSubject(context: AuthorizationContext | undefined): string | undefined {
  if (context === undefined || !context.authenticated) return undefined;
  const sub = context.claims?.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}
