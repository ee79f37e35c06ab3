/**
 * The browser entry of the suite (the `browser` export condition): everything but the Node
 * loopback helpers, so the suite bundles for a page and runs the same tests inside a browser
 * (with a vitest-compatible `describe`/`it`/`expect` standing in for vitest there).
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
export { TestHost, captureLogger, type LogLine } from './test-host.js';
