/**
 * `@naylence/cli`: the `naylence` command, and the library behind it.
 *
 * This package is the **composition root** of the runtime: the one place that depends on the
 * fabric, the transports and security together and wires them into a running program. The
 * libraries stay lean and never import each other.
 *
 * - {@link runSentinel}: start a sentinel with a WebSocket listener (optionally a shared
 *   secret, a parent, envelope printing) from code.
 * - {@link createFabricFromEnv}: an agent or client configured by the reference's environment
 *   (`FAME_SECURITY_PROFILE`, `FAME_ADMISSION_PROFILE`, `FAME_DIRECT_ADMISSION_URL`,
 *   `FAME_ADMISSION_TOKEN_URL`, …); {@link fabricOptionsFromEnv} gives the options it builds.
 * - {@link sentinelOptionsFromEnv}: merge `naylence sentinel` flags over the environment
 *   (`FAME_NODE_ID`, `FAME_LISTENER_PORT`, `FAME_LOG_LEVEL`, …).
 * - {@link runOAuth2Server}: a development OAuth2 token server (client credentials, JWKS,
 *   OpenID discovery) from `@naylence/fastify-plugins`; {@link oauth2ServerOptionsFromEnv} reads
 *   the reference dev server's environment (`APP_HOST`, `APP_PORT`, `FAME_JWT_*`).
 * - {@link runWelcomeServer}: a welcome (admission) server from `@naylence/admission` and the
 *   `welcome` Fastify plugin; {@link welcomeConfigFrom} reads the reference's `FAME_CONFIG`.
 * - {@link admitFromEnv}: admit a node as `FAME_ADMISSION_PROFILE` says (`welcome`, `direct`,
 *   `direct-http`, `open`, `none`) and get the fabric options that dial its parent over the
 *   granted transport (WebSocket or HTTP). The profiles are the one table of `@naylence/admission`
 *   (`defaultAdmissionProfiles.register` adds one).
 * - {@link main}: the command itself (`naylence sentinel`, `naylence oauth2-server`,
 *   `naylence welcome`, `--help`, `--version`).
 *
 * @example
 * ```ts
 * import { runSentinel, sentinelOptionsFromEnv } from '@naylence/cli';
 *
 * const options = sentinelOptionsFromEnv(process.env, ['--port', '0', '--host', '127.0.0.1']);
 * await using sentinel = await runSentinel(options);
 * console.log(`children attach at ${sentinel.url}`);
 * ```
 *
 * @packageDocumentation
 */
export { runSentinel, type RunSentinelOptions, type RunningSentinel } from './sentinel.js';
export {
  createFabricFromEnv,
  fabricOptionsFromEnv,
  type FabricFromEnvOptions,
  type FabricOptionsFromEnv,
} from './compose/fabric-from-env.js';
export { nodeKeysFromEnv } from './compose/signing-key-from-env.js';
export {
  sentinelOptionsFromEnv,
  SENTINEL_ENV,
  DEFAULT_SENTINEL_HOST,
  DEFAULT_SENTINEL_PORT,
  DEFAULT_LOG_LEVEL,
  type SentinelCliOptions,
  type Env,
} from './options.js';
export { SENTINEL_LIMITS, limitSettings, type SentinelLimits } from './limits.js';
export { toLogLevel, type LogLevel } from './log-level.js';
export { createPinoLogger } from './logger.js';
export { envelopePrinter } from './envelope-printer.js';
export { main, MAIN_USAGE, SENTINEL_USAGE, type CliIo } from './main.js';
export {
  runOAuth2Server,
  DEFAULT_OAUTH2_HOST,
  DEFAULT_OAUTH2_PORT,
  DEFAULT_OAUTH2_ISSUER,
  DEFAULT_OAUTH2_AUDIENCE,
  type RunOAuth2ServerOptions,
  type RunningOAuth2Server,
} from './oauth2-server.js';
export { oauth2ServerOptionsFromEnv, OAUTH2_SERVER_USAGE, type OAuth2ServerCliOptions } from './oauth2-server-command.js';
export { cliVersion } from './version.js';
export {
  runWelcomeServer,
  DEFAULT_WELCOME_HOST,
  DEFAULT_WELCOME_PORT,
  WELCOME_JWKS_PREFIX,
  type RunWelcomeServerOptions,
  type RunningWelcomeServer,
} from './welcome-server.js';
export { loadFameConfig, welcomeConfigFrom, type WelcomeConfig, type WelcomeIssuerConfig } from './welcome-config.js';
export { welcomeCommand, WELCOME_USAGE } from './welcome-command.js';
export {
  admitFromEnv,
  admissionProfileFromEnv,
  CALLBACK_ENV,
  ENV_PARENT_TOKEN,
  type AdmitOptions,
  type AdmittedNode,
} from './admission-composition.js';
