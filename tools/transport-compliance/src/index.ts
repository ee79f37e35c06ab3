/**
 * `@naylence-tools/transport-compliance`: the test suite every FAME transport runs, ours
 * (in-memory, WebSocket, HTTP) and third parties' alike, so that the fabric can rely on one
 * behaviour of the `Connector` contract from `@naylence/core`.
 *
 * Writing a transport? Give the suite a factory of connected pairs and it registers vitest
 * tests for ordering (both ways, binary and text), buffering before `start()`, bursts, a
 * 200 KiB message, back-pressure (`send()` returning false, `drain()`), and close semantics
 * (`onClose` exactly once on both ends with code, reason and initiator; `send()` throwing
 * `ConnectorClosedError` afterwards; idempotent `close()`). Each test gets a fresh pair and
 * always calls its `cleanup`. Receivers may deliver binary or text: the suite compares UTF-8
 * text. See {@link connectorComplianceSuite} for the full list. Listener tests share
 * {@link TestHost} (a recording `ListenerHost`) and the loopback helpers.
 *
 * @example
 * ```ts
 * // src/compliance.test.ts of your transport
 * import { connectorComplianceSuite } from '@naylence-tools/transport-compliance';
 * import { connectPair } from './my-transport.js';
 *
 * connectorComplianceSuite('my transport', {
 *   async createPair() {
 *     const { client, server, shutdown } = await connectPair(); // two open, unstarted connectors
 *     return { a: client, b: server, cleanup: shutdown };
 *   },
 * });
 * ```
 *
 * @packageDocumentation
 */

export {
  connectorComplianceSuite,
  type ConnectorComplianceOptions,
  type ConnectorPair,
  type ConnectorPairFactory,
} from './connector-suite.js';
export { listenerPair } from './listener-pair.js';
export { Collector, messageText, eventLoopTurns, type ConnectorEvent } from './collector.js';

// Fixtures of a transport's own listener tests (shared by the WebSocket and HTTP transports).
export { TestHost, captureLogger, type LogLine } from './test-host.js';
export { startHttpServer, rawTcp, REFUSED_PORT } from './loopback.js';
