/**
 * The transport contract. A {@link Connector} is one open, message-oriented, bidirectional
 * link between two nodes: a WebSocket, a pair of HTTP POST streams, an in-memory queue. It
 * carries opaque wire messages (one envelope each); the fabric does everything above that
 * (codec, attach, flow control, routing), so a transport only moves bytes.
 *
 * Writing a transport: implement {@link Connector} for an established link, a
 * {@link Dialer} that opens one towards a parent, and a `TransportListener`
 * (`./listener.ts`) that accepts them. Run the transport compliance suite in
 * `tools/transport-compliance` against your implementation.
 */

import type { FameEnvelope } from '../wire/envelope.js';
import type { NodeAttachFrame } from '../wire/frames.js';

/** One wire message: binary (preferred) or text. */
export type WireMessage = Uint8Array | string;

export type ConnectorState = 'open' | 'closing' | 'closed';

/** Why and how a connector closed. */
export interface CloseInfo {
  /** WebSocket-style close code: 1000 normal, 1008 policy, 1011 internal, 1006 abnormal (local only). */
  readonly code: number;
  readonly reason: string;
  /** Whether this side asked for the close. */
  readonly initiator: 'local' | 'remote';
  /** The failure that closed the link, if any. */
  readonly error?: Error;
}

export interface ConnectorHandlers {
  /**
   * One inbound message, called in arrival order. Must return quickly and never throw:
   * the receive path must not block on application work.
   *
   * `decoded` is optional: a transport that had to decode and validate the message itself
   * (the HTTP ingress does, to answer an invalid body with `400`) passes the result, so that
   * the envelope is not parsed twice. When present it must be exactly what
   * `decodeEnvelope(message)` returns (parsed and validated by core's codec, with a size limit
   * no smaller than the message), a fresh object the transport neither keeps nor touches
   * afterwards. A receiver may use it instead of decoding `message`, but still applies its
   * own size limit to `message`; receivers that ignore it lose nothing but time.
   */
  onMessage(message: WireMessage, decoded?: FameEnvelope): void;
  /** Called exactly once, after which no more messages arrive. */
  onClose(info: CloseInfo): void;
}

/** Facts about the link, for logs and authorization. */
export interface ConnectorInfo {
  /** Transport name, e.g. `websocket`, `http`, `memory`. */
  readonly transport: string;
  /**
   * The form the transport carries natively: `bytes` (the default; sockets and HTTP, which
   * send bytes as they are given) or `text` (an in-process transport, where a string crosses
   * for free). The fabric encodes each envelope once, into this form.
   */
  readonly messageForm?: 'bytes' | 'text';
  readonly remoteAddress?: string;
  readonly localAddress?: string;
}

export interface Connector {
  /** Unique id of this link end, for logs. */
  readonly id: string;
  readonly state: ConnectorState;
  readonly info: ConnectorInfo;
  /**
   * Begin delivering inbound messages. Messages that arrived before `start` are buffered and
   * delivered first. Call once.
   */
  start(handlers: ConnectorHandlers): void;
  /**
   * Queue one message for sending. The connector owns `message` from now on (it may write it
   * out later, as is): do not modify the bytes afterwards. Returns `false` when the
   * transport's outbound buffer is above its high-water mark: the caller should
   * `await drain()` before sending more.
   * @throws ConnectorClosedError when the connector is not open
   */
  send(message: WireMessage): boolean;
  /**
   * Resolves when the outbound buffer is below the high-water mark (at once if it already
   * is). Rejects with ConnectorClosedError if the connector closes first.
   */
  drain(): Promise<void>;
  /** Close the link; resolves when it is closed. Idempotent. */
  close(code?: number, reason?: string): Promise<void>;
  /**
   * NodeAttach members this link needs the parent to know, for a connector a {@link Dialer}
   * opened: e.g. an HTTP link's `callbackGrants` (where the parent sends its half of the
   * link). The fabric asks once, when it writes the NodeAttach of this link, and adds the
   * members the node did not set itself; the node's security component
   * (`NodeSecurity.attachFields`) cannot replace them either. Absent = nothing to add.
   */
  attachFields?(): TransportAttachFields;
}

/** NodeAttach members a transport may contribute (never the node's identity or origin). */
export type TransportAttachFields = Readonly<
  Partial<Omit<NodeAttachFrame, 'type' | 'systemId' | 'instanceId' | 'originType' | 'acceptedLogicals' | 'capabilities'>>
>;

export interface DialRequest {
  /** Our system id; transports put it in the attach URL. */
  readonly systemId: string;
  readonly originType: 'downstream' | 'peer';
  readonly signal?: AbortSignal;
}

/**
 * Opens connectors towards a parent. The fabric calls `dial` for the first attach and for
 * every reconnect, so a dialer holds the address and credentials, not a connection.
 */
export interface Dialer {
  /** Transport name, for logs. */
  readonly transport: string;
  /** @throws FameError (`CONNECTOR_CLOSED`, `TIMEOUT`, `AUTHENTICATION_FAILED`, …) when the link cannot be opened */
  dial(request: DialRequest): Promise<Connector>;
}
