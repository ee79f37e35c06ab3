import type { NodeAttachFrame } from '../wire/frames.js';

/** A bearer token and when it stops being valid. */
export interface AccessToken {
  readonly value: string;
  readonly expiresAt?: Date;
}

/** Supplies tokens to connectors (auth injection). Implementations cache and refresh. */
export interface TokenProvider {
  getToken(signal?: AbortSignal): Promise<AccessToken>;
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

/**
 * Authenticates links when they open (a WebSocket upgrade, an HTTP request) and may vet the
 * NodeAttach that follows. Listeners call it; implementations live in `@naylence/security`.
 */
export interface Authorizer {
  /**
   * @param credentials the credential as presented, normally `"Bearer <token>"`; undefined when
   *   the peer presented none
   * @returns the context, or undefined to refuse the link
   */
  authenticate(credentials: string | undefined): Promise<AuthorizationContext | undefined>;
  /** Vet a NodeAttach from an authenticated link; false refuses the attach. Absent = accept. */
  authorizeAttach?(attach: NodeAttachFrame, context: AuthorizationContext): Promise<boolean>;
}
