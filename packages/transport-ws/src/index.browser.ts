/**
 * The browser entry of `@naylence/transport-ws` (the `browser` export condition): the dialer and
 * the connector over the browser's `WebSocket`, without the listener (browsers accept no
 * sockets) and without `ws` or any Node built-in. A page dials a sentinel with a bearer token
 * offered as the subprotocols `["bearer", token]`; the fabric reconnects through the same dialer,
 * and `send()` reports back-pressure from the socket's `bufferedAmount`.
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
export { ATTACH_PATH_PREFIX, HEALTH_PATH } from './route.js';
export { wireCloseCode } from './close-codes.js';
