import type { Server } from 'node:http';
import type { AuthThrottle, Authorizer, Logger } from '@naylence/core';

/** The interface a standalone listener binds unless told otherwise: loopback only. */
export const DEFAULT_LISTENER_HOST = '127.0.0.1';
/** Default of `upgradeTimeoutMs`. (The other edge limits' defaults are in `@naylence/core`.) */
export const DEFAULT_UPGRADE_TIMEOUT_MS = 5_000;

export interface WebSocketListenerOptions {
  /**
   * Interface to bind (standalone only). Default `127.0.0.1`: only this machine can attach until
   * you say otherwise (`0.0.0.0` for every interface), as Fastify's `listen` does.
   */
  readonly host?: string;
  /** Port to bind (standalone only); 0 picks an ephemeral port. Default 0. */
  readonly port?: number;
  /**
   * An existing HTTP(S) server to mount on instead of creating one. The listener then only
   * takes upgrade requests under `/fame/v1/attach/ws` and leaves every other request and
   * upgrade to the server; the embedding server answers health checks by calling
   * {@link WebSocketListener.handleRequest}. If the server is not listening yet, `listen()`
   * starts it on `host`/`port`. `close()` never closes a mounted server.
   */
  readonly server?: Server;
  /** Authenticates every link after the upgrade (admission-and-http §4); absent = open. */
  readonly authorizer?: Authorizer;
  /**
   * Authenticates `peer` links (`/fame/v1/attach/ws/peer/{id}`: sentinels that learn this one's
   * routes). Without it, a listener with an `authorizer` refuses every peer link (NodeAttachAck
   * `ok:false`, close 1008 `Peer attach not authorized`): a child's credential never admits a
   * peer. A listener with neither is open to both.
   */
  readonly peerAuthorizer?: Authorizer;
  /**
   * Connections open at once, at most: WebSocket links and, on a server of the listener's own,
   * every TCP connection (upgraded or not). More are answered `503` and closed. Default 10 000.
   */
  readonly maxConnections?: number;
  /** The same cap per remote address (IP). Default 2 000. Raise it behind a proxy that connects from one address. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * A connection to a server of the listener's own must complete the WebSocket upgrade within
   * this long: the idle timeout before the upgrade and the HTTP headers timeout (a socket that
   * never speaks, or drips its headers, is closed). Mounted servers keep their own timeouts.
   * Default 5 000 ms; 0 disables.
   */
  readonly upgradeTimeoutMs?: number;
  /**
   * Failed authentication slows down its remote address: its attempts are then spaced 100 ms
   * apart (their upgrade waits; parallel ones queue), doubling per failure within a minute, up
   * to this; an attempt that would wait longer is refused (429). A success clears the address.
   * 0 disables. Default 2 000 ms.
   */
  readonly authFailureMaxDelayMs?: number;
  /**
   * The failed-authentication table to use instead of one of the listener's own (then
   * `authFailureMaxDelayMs` is the throttle's, not read here). Listeners that share a port
   * (e.g. this one and an `HttpListener` on one server) pass the same throttle, so an address
   * has one budget of failures whichever transport it tries.
   */
  readonly authThrottle?: AuthThrottle;
  /** Largest inbound message; a larger one closes the link with 1009. Default 1 MiB. */
  readonly maxPayload?: number;
  /** Outbound high-water mark of accepted connectors, in bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Close links that receive nothing for this long (code 1000, `idle timeout`); 0 disables. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Accept permessage-deflate offers (no context takeover, 1 KiB threshold). Default false. */
  readonly perMessageDeflate?: boolean;
  /** Default: the host's logger. */
  readonly logger?: Logger;
}

/** What the listener refused or cut off so far (counters only grow), and what is open now. */
export interface WebSocketListenerStats {
  readonly connections: number;
  /** Connections answered 503 because a connection cap was reached. */
  readonly refusedOverCap: number;
  /** Connections closed for not completing the upgrade in time. */
  readonly upgradeTimeouts: number;
  readonly authFailures: number;
  /** Authentication attempts delayed because their address failed before (with a shared `authThrottle`: on every listener sharing it). */
  readonly delayedAuthAttempts: number;
  /** Attempts refused (429) because too many from their address already waited. */
  readonly throttledAuthAttempts: number;
  /** Peer links refused because the listener admits no peers. */
  readonly peersRefused: number;
}

/** Close reason (and NodeAttachAck reason) of a peer link on a listener that admits no peers. */
export const PEER_NOT_AUTHORIZED = 'Peer attach not authorized';

/** The health document, byte-compatible with the reference listener's. */
export interface WebSocketListenerHealth {
  readonly status: 'healthy';
  readonly active_connections: number;
  readonly listenerType: 'WebSocketListener';
  readonly listener_type: 'WebSocketListener';
}
