/**
 * `@naylence-tools/demo-browser`: the browser demo and its harness, for the tests, the
 * screenshot script and the bench: start the demo's Node side, launch headless Chromium,
 * bundle pages for browsers (and check that nothing Node-only gets in), and the calls the
 * browser bench runs on both sides.
 *
 * @packageDocumentation
 */
export { startDemo, WWW_DIR, PAGE_CLIENT_ID, type DemoOptions, type RunningDemo, type PageConfig } from './server/demo-server.js';
export { MATH_ADDRESS } from './server/agents.js';
export { startOverlay, overlayEnv, type RunningOverlay, type SeenEnvelope } from './server/overlay.js';
export {
  OVERLAY_SERVICE,
  OVERLAY_CLIENT_ENV,
  attachOverlayNode,
  overlayEcho,
  countingProvider,
  type OverlayNode,
} from './shared/overlay-node.js';
export { launchChromium, chromiumVersion, CHROMIUM_PATH, CHROMIUM_ARGS, type Chromium } from './chromium.js';
export {
  bundlePages,
  nodeOnlyInputs,
  browserOnly,
  PAGE_ENTRIES,
  NODE_ONLY_PACKAGES,
  PACKAGE_DIR,
  type BundleResult,
} from './bundle-pages.js';
export { openDemo, openChecks, callChecks, signInThroughDevLogin, type ShownResult } from './drive.js';
export type { ChecksApi } from './page/checks.js';
export { inPageRpc, wsRpc, signedRpc, measure, type Throughput } from './shared/bench-calls.js';
