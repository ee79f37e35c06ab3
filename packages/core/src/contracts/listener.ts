import type { OriginType } from '../wire/primitives.js';
import type { AuthorizationContext, Authorizer } from './auth.js';
import type { Connector } from './connector.js';
import type { Logger } from './logger.js';

/**
 * A connection a listener accepted and authenticated, handed to the node that will attach it.
 * (The fabric wraps it in its own link; this is only what the transport learned.)
 */
export interface IncomingConnection {
  readonly connector: Connector;
  readonly originType: OriginType;
  /** The system id the peer claimed in its attach URL; its NodeAttach must match it. */
  readonly systemId: string;
  /** What the listener's authorizer learned about the peer (its principal, token claims). */
  readonly authorization?: AuthorizationContext;
}

/** What a listener needs from the node it serves. */
export interface ListenerHost {
  /** The node's own system id (attaching with it is refused). */
  readonly systemId: string;
  /** False while the node cannot take links yet (the listener refuses them). */
  isReady(): boolean;
  /** Takes ownership of an accepted connection. */
  accept(connection: IncomingConnection): void;
  readonly logger: Logger;
}

export interface ListenerAddress {
  readonly host: string;
  readonly port: number;
  /** Base URL peers attach to, e.g. `ws://127.0.0.1:8000/fame/v1/attach/ws/downstream`. */
  readonly url: string;
}

/** Accepts inbound links for a node (a sentinel). */
export interface TransportListener {
  readonly transport: string;
  /** Authenticates links before they reach the host; absent = open. */
  readonly authorizer?: Authorizer | undefined;
  /**
   * Authenticates `peer` links (sentinel to sentinel), which learn this sentinel's routes. A
   * listener with an `authorizer` but no `peerAuthorizer` refuses every peer link: a
   * downstream credential never admits a peer. (A listener with neither is open to both.)
   */
  readonly peerAuthorizer?: Authorizer | undefined;
  /** Start accepting; resolves with where peers can reach us. */
  listen(host: ListenerHost): Promise<ListenerAddress>;
  /** Stop accepting and close the links this listener still owns. Idempotent. */
  close(): Promise<void>;
}
