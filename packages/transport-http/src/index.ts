/**
 * `@naylence/transport-http`: the HTTP stateless transport of the FAME agent fabric,
 * wire-compatible with `@naylence/runtime` 0.4.12 (protocol-core §4.9, admission-and-http §3–§4).
 *
 * A link is two streams of POSTs, one envelope each: the child POSTs to
 * `{parent}/fame/v1/ingress/downstream/{systemId}`, the parent POSTs to the callback URL the
 * child put in its NodeAttach (`{child public URL}/fame/v1/ingress/upstream`).
 *
 * - {@link HttpListener} (a core `TransportListener`) serves `/fame/v1/ingress/…` and
 *   `GET /fame/v1/ingress/health` for a sentinel (children) and for our dialers (callbacks);
 *   standalone, mounted on an existing `http.Server` (e.g. next to a `WebSocketListener` on one
 *   port), or through the Fastify `ingress` plugin of `@naylence/fastify-plugins`.
 * - {@link HttpDialer} (a core `Dialer`) opens links to a parent: bearer token from a core
 *   `TokenProvider` on every POST, the callback grant offered as the connector's
 *   `attachFields()` (the fabric puts it in NodeAttach), optional reverse auth of the callbacks
 *   ({@link CallbackAuth}).
 * - {@link HttpConnector} (a core `Connector`) is one link end: keep-alive undici pool, bounded
 *   in-flight requests, `429 receiver busy` as back-pressure (retried, never lost), any other
 *   error status as a typed close ({@link HttpStatusError}).
 *
 * Between two nodes of ours, requests also carry `x-fame-link` / `x-fame-seq` headers: the
 * receiver restores their order, so a link pipelines up to `maxInFlight` requests, and a close
 * reaches the other end as a `DELETE`. The reference ignores those headers and gets plain
 * one-at-a-time requests, as it sends them itself.
 *
 * @example
 * ```ts
 * import type { ListenerHost } from '@naylence/core';
 * import { NOOP_LOGGER } from '@naylence/core';
 * import { HttpDialer, HttpListener } from '@naylence/transport-http';
 *
 * // A parent that accepts HTTP links and echoes every message.
 * const host: ListenerHost = {
 *   systemId: 'sentinel',
 *   logger: NOOP_LOGGER,
 *   isReady: () => true,
 *   accept: ({ connector }) => connector.start({ onMessage: (m) => connector.send(m), onClose: () => {} }),
 * };
 * const parent = new HttpListener({ host: '127.0.0.1' });
 * const { url } = await parent.listen(host); // http://127.0.0.1:{port}/fame/v1/ingress/downstream
 *
 * // A child: its own listener receives the parent's POSTs.
 * const callback = new HttpListener({ host: '127.0.0.1' });
 * const dialer = new HttpDialer({ url, callback });
 * const connector = await dialer.dial({ systemId: 'child-1', originType: 'downstream' });
 * connector.start({ onMessage: (m) => console.log('echo:', m), onClose: (info) => console.log('closed', info.code) });
 * // The first message must be a NodeAttach with the link's callback grant (the fabric writes it for you).
 * const frame = { type: 'NodeAttach', systemId: 'child-1', instanceId: 'i1', ...connector.attachFields() };
 * connector.send(JSON.stringify({ version: '1.0', id: 'a1', frame }));
 *
 * await connector.close();
 * await callback.close();
 * await parent.close();
 * ```
 *
 * @packageDocumentation
 */

// Links
export { HttpListener, type HttpListenerOptions } from './listener.js';
export { HttpDialer, type HttpDialerOptions, type CallbackAuth } from './dialer.js';
export { sharedServer, type MountedRequestHandler } from './shared-server.js';

// Edge limits (hostile and broken peers)
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_RECEIVE_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  guardServer,
  type GuardOptions,
  type HttpServerLimits,
} from './edge-server.js';
export {
  DEFAULT_MAX_PENDING_LINKS,
  DEFAULT_PENDING_LINK_TIMEOUT_MS,
  PENDING_LINK_TIMEOUT_REASON,
  type IngressLimits,
  type IngressStats,
} from './ingress-guard.js';
export {
  HttpConnector,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_RECEIVE_QUEUE,
  DEFAULT_RECEIVE_QUEUE_BYTES,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_BUSY_RETRY,
  IDLE_TIMEOUT_REASON,
  type HttpLinkOptions,
} from './connector.js';
export type { BusyRetryPolicy, SenderStats } from './sender.js';

// The framework-neutral ingress (for server adapters such as the Fastify plugin)
export type { IngressRequest } from './ingress.js';
export type { IngressResponse } from './responses.js';

// Grants and auth
export {
  HTTP_CONNECTION_GRANT_TYPE,
  bearerGrantAuth,
  callbackCredentials,
  selectCallbackGrant,
  type GrantAuth,
  type HttpCallbackGrant,
  type CallbackCredentials,
} from './grants.js';
export { PUBLIC_URL_ENV, publicUrlFromEnv, normalizePublicUrl } from './public-url.js';

// Routes, headers, errors
export { INGRESS_PREFIX, INGRESS_HEALTH_PATH, UPSTREAM_PATH, DOWNSTREAM_PATH, LINK_HEADER, SEQ_HEADER } from './route.js';
export { HttpStatusError, closeCodeForStatus } from './http-status.js';
