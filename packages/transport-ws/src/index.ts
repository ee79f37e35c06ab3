/**
 * `@naylence/transport-ws`: the WebSocket transport of the FAME agent fabric, wire-compatible
 * with `@naylence/runtime` 0.4.12 (protocol-core §4.1–§4.3, §4.8).
 *
 * - {@link WebSocketDialer} (a core `Dialer`) opens links to a parent sentinel, presenting a
 *   bearer token as the subprotocols `["bearer", token]` (or an `Authorization` header on Node).
 * - {@link WebSocketListener} (a core `TransportListener`) accepts links on
 *   `/fame/v1/attach/ws/{downstream|peer}/{systemId}`, authenticates them with an `Authorizer`
 *   and hands them to the node; it runs standalone or mounted on an existing HTTP server.
 * - {@link WebSocketConnector} (a core `Connector`) moves whole messages over one socket, Node
 *   `ws` or browser `WebSocket`: binary frames out, text or binary in, back-pressure by
 *   buffered bytes, idle timeout, close codes per §4.8.
 *
 * A transport only moves messages: codec, attach handshake, flow control, heartbeats and
 * reconnects belong to the fabric. The listener and the `header` auth mode need Node; the
 * dialer and connector also run in browsers: the package's `browser` export condition resolves
 * to a bundle of `index.browser.ts` (dialer and connector over the browser's `WebSocket`, no
 * listener), which imports neither `ws` nor a Node built-in.
 *
 * @example
 * ```ts
 * import type { ListenerHost } from '@naylence/core';
 * import { NOOP_LOGGER } from '@naylence/core';
 * import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
 *
 * // A sentinel side that accepts links and echoes every message.
 * const host: ListenerHost = {
 *   systemId: 'sentinel',
 *   logger: NOOP_LOGGER,
 *   isReady: () => true,
 *   accept: ({ connector }) =>
 *     connector.start({ onMessage: (message) => connector.send(message), onClose: () => {} }),
 * };
 * const listener = new WebSocketListener({
 *   host: '127.0.0.1',
 *   authorizer: {
 *     authenticate: async (credentials) =>
 *       credentials === 'Bearer s3cret' ? { authenticated: true, authMethod: 'shared-secret' } : undefined,
 *   },
 * });
 * const { url } = await listener.listen(host); // ws://127.0.0.1:{port}/fame/v1/attach/ws/downstream
 *
 * // A child that dials it.
 * const dialer = new WebSocketDialer({ url, tokenProvider: { getToken: async () => ({ value: 's3cret' }) } });
 * const connector = await dialer.dial({ systemId: 'child-1', originType: 'downstream' });
 * connector.start({ onMessage: (message) => console.log('echo:', message), onClose: (info) => console.log('closed', info.code) });
 * connector.send('{"hello":"fabric"}'); // sent as a binary frame
 *
 * await connector.close(1000, 'done');
 * await listener.close();
 * ```
 *
 * @packageDocumentation
 */

export {
  WebSocketConnector,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_IDLE_TIMEOUT_MS,
  IDLE_TIMEOUT_REASON,
  type WebSocketConnectorOptions,
} from './connector.js';
export { WebSocketDialer, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, type WebSocketDialerOptions } from './dialer.js';
export { WebSocketListener } from './listener.js';
export {
  DEFAULT_LISTENER_HOST,
  DEFAULT_UPGRADE_TIMEOUT_MS,
  PEER_NOT_AUTHORIZED,
  type WebSocketListenerOptions,
  type WebSocketListenerHealth,
  type WebSocketListenerStats,
} from './listener-options.js';
// The shared edge limits' defaults live in @naylence/core; re-exported where they were.
export { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_AUTH_FAILURE_MAX_DELAY_MS } from '@naylence/core';
export { ATTACH_PATH_PREFIX, HEALTH_PATH } from './route.js';
export { wireCloseCode } from './close-codes.js';
