/**
 * `@naylence/fabric/testing`: helpers for the workspace's own tests and tools. A test-only
 * entry: it resolves from source inside this workspace and is not part of the published
 * package (neither its `exports` nor its files).
 *
 * @packageDocumentation
 */
export {
  RecordingLogger,
  tapDialer,
  tapConnector,
  interceptInbound,
  wrapDialer,
  until,
  staticTokens,
  inbox,
  type LogEntry,
  type TappedMessage,
} from './support.js';
export { RecordingSecurity, describeCalls, type StageCall, type RecordingBehaviour } from './recording-security.js';
export { routesOf, neighbourOf, upstreamLinkOf } from './internals.js';
export { SeamFixture, type SeamTransport, type SeamOptions } from './seam-fixture.js';
export { securitySeamSuite, assertEqual, type SuiteRunner } from './seam-suite.js';
