import type { Server } from 'node:http';
import { AbortedError, ConfigError, FameError, type Environment, type Logger, type ProfileRequest } from '@naylence/core';
import { Fabric, Sentinel, type FabricOptions, type NodeHooks, type ReconnectPolicy } from '@naylence/fabric';
import {
  loadSecurityPlugins,
  nodeSecurityFromEnv,
  sharedSecretAuthorizer,
  type NodeSecurityFromEnvOptions,
  type ProfileNodeSecurity,
} from '@naylence/security';
import { HEALTH_PATH, type WebSocketListenerOptions } from '@naylence/transport-ws';
import { admitFromEnv, CALLBACK_ENV, type AdmittedNode } from './admission-composition.js';
import { envelopePrinter } from './envelope-printer.js';
import { nodeKeysFromEnv } from './compose/signing-key-from-env.js';
import { limitSettings, type SentinelLimits } from './limits.js';
import { createPinoLogger } from './logger.js';
import type { LogLevel } from './log-level.js';
import { DEFAULT_LOG_LEVEL, DEFAULT_SENTINEL_HOST, DEFAULT_SENTINEL_PORT } from './options.js';
import { sentinelListeners, type SentinelHttpOptions, type SentinelListeners } from './sentinel-listeners.js';

/** What {@link runSentinel} needs; every field has a default. `SentinelCliOptions` fits as is. */
export interface RunSentinelOptions {
  /** System id. Default: a random id. */
  readonly id?: string;
  /** Interface to bind. Default `127.0.0.1` (`0.0.0.0` = every interface). */
  readonly host?: string;
  /** Default 8000; 0 picks an ephemeral port. */
  readonly port?: number;
  /** Shared secrets children must present; empty or absent = an open listener. */
  readonly tokens?: readonly string[];
  /** Attach to a parent sentinel at this URL (a multi-level tree). */
  readonly parentUrl?: string;
  readonly parentToken?: string;
  /** First-attach attempts to the parent before `runSentinel` fails; 0 = forever. Default 1. */
  readonly maxInitialAttempts?: number;
  /** Reconnect policy towards the parent (delays, backoff), for tuning and tests. */
  readonly reconnect?: Partial<Omit<ReconnectPolicy, 'maxInitialAttempts'>>;
  /** Heartbeat period towards the parent. Default 15 000 ms. */
  readonly heartbeatMs?: number;
  /** Level of the default logger (pino on stderr). Default `info`. */
  readonly logLevel?: LogLevel;
  /** A logger to use instead of the default one. */
  readonly logger?: Logger;
  /** Print every envelope received or forwarded (one line each) through `write`. */
  readonly showEnvelopes?: boolean;
  /** Where envelope lines go. Default: process.stdout. */
  readonly write?: (text: string) => void;
  /** More node hooks (telemetry, tests). */
  readonly hooks?: readonly NodeHooks[];
  /** Shared secrets peer sentinels must present (`/fame/v1/attach/ws/peer/…`); without them a sentinel with `tokens` admits no peers. */
  readonly peerTokens?: readonly string[];
  /** Logicals whose routes peers learn. Default: every logical. */
  readonly peerLogicals?: readonly string[];
  /** Limits on hostile, broken or slow peers; absent ones keep their defaults (`SENTINEL_LIMITS`). */
  readonly limits?: SentinelLimits;
  /** Further WebSocket listener settings (max payload, idle timeout, …). */
  readonly listener?: Omit<WebSocketListenerOptions, 'host' | 'port' | 'authorizer' | 'server' | 'logger'>;
  /** Mount the listener on this HTTP server instead of creating one (`host`/`port` then only apply if it is not listening yet). */
  readonly server?: Server;
  /**
   * Also accept children over HTTP (protocol-core §4.9) on the same port: the HTTP ingress at
   * `http://{host}:{port}/fame/v1/ingress/downstream`, with the same authorizer. `true` = its
   * defaults, or HTTP listener settings (callback URL allow-list, receive queue, …).
   */
  readonly http?: SentinelHttpOptions;
  /** Security, authorization and admission profiles to enforce (as FAME_*_PROFILE ask); default: none beyond the environment. */
  readonly profiles?: ProfileRequest;
  /**
   * Where the reference's variables are read: `FAME_*_PROFILE`, the authorizer's
   * (`FAME_JWT_TRUSTED_ISSUER`, `FAME_JWT_AUDIENCE`, `FAME_JWT_ALGORITHM`, `FAME_JWKS_URL`, …) and
   * the admission to a parent (`FAME_ADMISSION_TOKEN_URL`, …). Default `process.env`.
   */
  readonly env?: Environment;
  /** Settings of the node's security besides the environment (its keys, `verifyEveryHop`, key-request timing). */
  readonly securityOptions?: Omit<NodeSecurityFromEnvOptions, 'env' | 'acceptsLinks' | 'logger' | 'physicalPath'>;
  /** Further sentinel settings (attach timeout, load balancer, route grace). */
  readonly sentinel?: FabricOptions['sentinel'];
  /**
   * Aborting it while the sentinel starts (e.g. while it waits for its parent) stops it, and
   * `runSentinel` rejects with `AbortedError` (`ABORTED`). After the start it has no effect:
   * call `stop()`.
   */
  readonly signal?: AbortSignal;
}

/** A started sentinel. Dispose it (or call `stop`) to close the listener and every link. */
export interface RunningSentinel extends AsyncDisposable {
  readonly fabric: Fabric;
  readonly id: string;
  /** `/{id}` for a root, `/{parent path}/{id}` below a parent. */
  readonly physicalPath: string;
  /** Where children attach: `ws://{host}:{port}/fame/v1/attach/ws/downstream` (127.0.0.1 for 0.0.0.0). */
  readonly url: string;
  /** `http://{host}:{port}/fame/v1/attach/health`. */
  readonly healthUrl: string;
  /** With `http`: where children POST, `http://{host}:{port}/fame/v1/ingress/downstream`. */
  readonly ingressUrl?: string;
  readonly host: string;
  readonly port: number;
  readonly authenticated: boolean;
  /** The security the environment asked for (profile, authorization profile, keys). */
  readonly security: ProfileNodeSecurity;
  stop(): Promise<void>;
}

/**
 * Start a sentinel with a WebSocket listener: the library behind `naylence sentinel`. With
 * `parentUrl` it also attaches to a parent sentinel, so sentinels form a multi-level tree.
 *
 * @throws FameError `INVALID_CONFIG` when the port cannot be bound; `AttachError` (e.g.
 *   `AUTHENTICATION_FAILED`) or `CONNECTOR_CLOSED` when the first attach to the parent fails
 *
 * @example
 * ```ts
 * import { runSentinel } from '@naylence/cli';
 *
 * await using sentinel = await runSentinel({ host: '127.0.0.1', port: 0, tokens: ['s3cret'] });
 * console.log(sentinel.url); // ws://127.0.0.1:{port}/fame/v1/attach/ws/downstream
 * ```
 */
export async function runSentinel(options: RunSentinelOptions = {}): Promise<RunningSentinel> {
  const logger = options.logger ?? createPinoLogger(options.logLevel ?? DEFAULT_LOG_LEVEL);
  const env = options.env ?? process.env;
  const tokens = options.tokens ?? [];
  const peerTokens = options.peerTokens ?? [];
  const limits = limitSettings(options.limits ?? {});
  // Add-ons named in FAME_PLUGINS register their profiles first (one that cannot load stops the start).
  await loadSecurityPlugins({ env });
  const admitted = await admitSentinel(options, env, logger);
  let listeners: SentinelListeners | undefined;
  let fabric: Fabric;
  let security: ProfileNodeSecurity;
  try {
    const keys = options.securityOptions?.keys ?? nodeKeysFromEnv(env);
    security = nodeSecurityFromEnv({
      ...options.securityOptions,
      ...(keys !== undefined && { keys }),
      env,
      acceptsLinks: true,
      ...(!admitted.hasUpstream && { physicalPath: `/${admitted.systemId}` }),
      logger,
    });
    if (tokens.length > 0 && security.authorizerProfile !== 'noop') {
      throw new ConfigError(
        `--token / FAME_SENTINEL_TOKEN (a shared secret) and the ${security.authorizerProfile} authorization profile ` +
          `(FAME_AUTHORIZATION_PROFILE, or FAME_SECURITY_PROFILE=${security.profile}) are two ways to admit children: choose one`,
        { setting: 'FAME_SENTINEL_TOKEN' },
      );
    }
    // The listeners authenticate links; the security's authorizeAttach then vets each NodeAttach.
    const authorizer =
      tokens.length > 0
        ? sharedSecretAuthorizer({ secrets: tokens })
        : security.authorizerProfile !== 'noop'
          ? security.authorizer
          : undefined;
    listeners = await sentinelListeners({
      host: options.host ?? DEFAULT_SENTINEL_HOST,
      port: options.port ?? DEFAULT_SENTINEL_PORT,
      websocket: {
        ...limits.listener,
        ...options.listener,
        ...(peerTokens.length > 0 && { peerAuthorizer: sharedSecretAuthorizer({ secrets: peerTokens, principal: 'peer' }) }),
      },
      ...(options.server !== undefined && { server: options.server }),
      ...(options.http !== undefined && { http: options.http && { ...limits.http, ...(options.http === true ? {} : options.http) } }),
      serverLimits: limits.server,
      logger,
      ...(authorizer !== undefined && { authorizer }),
    });
    const hooks: NodeHooks[] = [...(options.hooks ?? [])];
    if (options.showEnvelopes) {
      const write = options.write ?? ((text: string) => void process.stdout.write(text));
      hooks.push(envelopePrinter(write));
    }
    fabric = new Fabric({
      ...admitted.fabricOptions,
      logger,
      security,
      listeners: listeners.listeners,
      ...(hooks.length > 0 && { hooks }),
      link: limits.link,
      sentinel: {
        ...limits.sentinel,
        ...(options.peerLogicals !== undefined && { peerLogicals: options.peerLogicals }),
        ...options.sentinel,
      },
      ...(options.profiles !== undefined && { profiles: options.profiles }),
      env,
    });
  } catch (error) {
    await admitted.close();
    await listeners?.close();
    throw error;
  }
  const open = listeners;
  const signal = options.signal;
  let stopping: Promise<void> | undefined;
  const stopAll = async (): Promise<void> => {
    await fabric.stop();
    await open.close();
    await admitted.close();
  };
  const onAbort = (): void => {
    stopping ??= stopAll();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new AbortedError('starting the sentinel', { cause: signal.reason });
    await fabric.start();
  } catch (error) {
    await (stopping ?? stopAll());
    throw signal?.aborted ? new AbortedError('starting the sentinel', { cause: signal.reason }) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const node = fabric.node;
  const addresses = node instanceof Sentinel ? node.addresses : [];
  const address = addresses.find((a) => /^wss?:/.test(a.url));
  const ingress = addresses.find((a) => /^https?:/.test(a.url));
  if (address === undefined) {
    await stopAll();
    throw new FameError('INTERNAL_ERROR', 'the sentinel started without a listening address');
  }
  const healthUrl = new URL(address.url);
  healthUrl.protocol = healthUrl.protocol === 'wss:' ? 'https:' : 'http:';
  healthUrl.pathname = HEALTH_PATH;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopAll());
  return {
    fabric,
    id: node.systemId,
    get physicalPath() {
      return fabric.physicalPath;
    },
    url: address.url,
    healthUrl: healthUrl.href,
    ...(ingress !== undefined && { ingressUrl: ingress.url }),
    host: address.host,
    port: address.port,
    authenticated: tokens.length > 0 || security.authorizerProfile !== 'noop',
    security,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * The sentinel's own admission to a parent (none for a root): `FAME_ADMISSION_PROFILE` and its
 * variables, `parentUrl`/`parentToken` over `FAME_DIRECT_ADMISSION_URL`/`FAME_PARENT_TOKEN`. An
 * HTTP callback listener, if its grant needs one, takes an ephemeral port: the listener ports
 * are the sentinel's.
 */
function admitSentinel(options: RunSentinelOptions, env: Environment, logger: Logger): Promise<AdmittedNode> {
  const admissionEnv: Record<string, string | undefined> = { ...env };
  for (const name of CALLBACK_ENV.port) delete admissionEnv[name];
  return admitFromEnv({
    env: admissionEnv,
    ...(options.id !== undefined && { systemId: options.id }),
    ...(options.parentUrl !== undefined && { parentUrl: options.parentUrl }),
    ...(options.parentToken !== undefined && { token: options.parentToken }),
    reconnect: { ...options.reconnect, maxInitialAttempts: options.maxInitialAttempts ?? 1 },
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    ...(options.signal !== undefined && { signal: options.signal }),
    logger,
  });
}
