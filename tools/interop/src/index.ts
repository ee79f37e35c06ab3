/**
 * `@naylence-tools/interop`: interop scenarios between this runtime and the reference
 * (`@naylence/runtime` 0.4.12, `@naylence/agent-sdk` 0.4.8) over real sockets, and the process
 * harness that drives the reference role scripts in `reference/`.
 *
 * @packageDocumentation
 */
export * from './harness.js';
export * from './ours.js';
