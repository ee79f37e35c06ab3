/**
 * Admission from the environment: the composition that turns `FAME_ADMISSION_PROFILE` and the
 * reference's admission variables into what a fabric needs to reach its parent. The admission
 * package decides *how to connect* (a welcome and its grants); this module maps each grant type
 * to one of our transports (`WebSocketConnectionGrant` → `WebSocketDialer`,
 * `HttpConnectionGrant` → `HttpDialer` with a callback listener of this node).
 */
import {
  AdmissionDialer,
  ADMISSION_ENV,
  admissionClientForProfile,
  canonicalAdmissionProfile,
  HTTP_CONNECTION_GRANT,
  identityPolicyProfile,
  WEBSOCKET_CONNECTION_GRANT,
  type AdmissionProfileFactory,
  type ConnectionGrant,
  type GrantDialerFactory,
  type Welcome,
} from '@naylence/admission';
import { ConfigError, NOOP_LOGGER, type Logger, type Registry } from '@naylence/core';
import type { FabricOptions, ReconnectPolicy } from '@naylence/fabric';
import { webSocketDialerAuth, type AuthInjection } from '@naylence/security';
import { HttpDialer, HttpListener } from '@naylence/transport-http';
import { WebSocketDialer } from '@naylence/transport-ws';
import type { Env } from './options.js';

/** Where an HTTP child's callback listener binds (the parent POSTs its half of the link there). */
export const CALLBACK_ENV = { host: 'FAME_LISTENER_HOST', port: ['FAME_LISTENER_HTTP_PORT', 'FAME_LISTENER_PORT'] } as const;

/** A static bearer token for the parent when no OAuth2 client is configured (ours, not the reference's). */
export const ENV_PARENT_TOKEN = 'FAME_PARENT_TOKEN';

export interface AdmitOptions {
  /** Where the variables are read. Default `process.env`. */
  readonly env?: Env;
  /**
   * The admission profile; must agree with `FAME_ADMISSION_PROFILE` when both are set. Default:
   * `FAME_ADMISSION_PROFILE`, else `direct` when `FAME_DIRECT_ADMISSION_URL` is set, else `none`.
   */
  readonly profile?: string;
  /** The node's configured id (else `FAME_NODE_ID`, else a random id): the provisional id of the hello. */
  readonly systemId?: string;
  /** Logicals asked for (e.g. `['fame.fabric']` for an agent serving `math@fame.fabric`). Default none. */
  readonly logicals?: readonly string[];
  readonly capabilities?: readonly string[];
  /** The parent's URL, instead of `FAME_DIRECT_ADMISSION_URL` (`--parent`); with no profile named, it means `direct`. */
  readonly parentUrl?: string;
  /** A static token for `direct`/`direct-http` when no OAuth2 client is configured. Default `FAME_PARENT_TOKEN` (ours). */
  readonly token?: string;
  /** The callback listener of HTTP grants; default one on `FAME_LISTENER_HOST` (127.0.0.1) : `FAME_LISTENER_HTTP_PORT` (0), advertising `FAME_PUBLIC_URL`. */
  readonly callback?: HttpListener;
  /** Reconnect policy of the link to the parent. */
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly heartbeatMs?: number;
  /** More grant types this program can dial (e.g. a browser's `InPageConnectionGrant`). */
  readonly dialers?: Readonly<Record<string, GrantDialerFactory>>;
  /** Admission profiles by name (default: the built-in ones and whatever was registered). */
  readonly profiles?: Registry<AdmissionProfileFactory>;
  readonly fetch?: typeof globalThis.fetch;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** A node admitted by its profile, ready to be built: spread {@link fabricOptions} into `createFabric`. */
export interface AdmittedNode extends AsyncDisposable {
  /** The canonical profile name (`welcome`, `direct-http`, `none`, …). */
  readonly profile: string;
  readonly welcome: Welcome;
  /** The id the node must run with (the welcome's). */
  readonly systemId: string;
  /** Whether the node has a parent to dial. */
  readonly hasUpstream: boolean;
  /** The dialer of the parent link (`transport` tells which grant it dials last: `websocket`, `http`). */
  readonly dialer: AdmissionDialer;
  /**
   * `systemId`, `requestedLogicals` (the welcome's accepted logicals), `connect` (the admission
   * dialer, when there is a parent) and `enforces` (the profile), for `createFabric`.
   */
  readonly fabricOptions: Pick<FabricOptions, 'systemId' | 'requestedLogicals' | 'connect' | 'enforces'>;
  /** Stops renewing the admission and closes the callback listener this module created. */
  close(): Promise<void>;
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** The profile asked for, canonical; option and environment must agree. */
export function admissionProfileFromEnv(env: Env, option?: string): string {
  const fromEnv = read(env, ADMISSION_ENV.profile);
  const fromOption = option?.trim() === '' ? undefined : option;
  if (fromEnv !== undefined && fromOption !== undefined && canonicalAdmissionProfile(fromEnv) !== canonicalAdmissionProfile(fromOption)) {
    throw new ConfigError(`the admission profile option (${fromOption}) contradicts ${ADMISSION_ENV.profile}=${fromEnv}; set one of them`, {
      setting: ADMISSION_ENV.profile,
    });
  }
  const name = fromOption ?? fromEnv ?? (read(env, ADMISSION_ENV.directUrl) !== undefined ? 'direct' : 'none');
  return canonicalAdmissionProfile(name);
}

/** The bearer token of an HTTP grant's credentials: only `Authorization: Bearer` (or none) reaches the HTTP ingress. */
function httpTokenProvider(auth: AuthInjection) {
  if (auth.type === 'NoAuth') return undefined;
  if (auth.type === 'BearerTokenHeaderAuth' && auth.headerName.toLowerCase() === 'authorization') return auth.tokenProvider;
  throw new ConfigError(
    `an HttpConnectionGrant with ${auth.type} credentials cannot be dialed: the HTTP ingress reads Authorization: Bearer`,
  );
}

function grantUrl(grant: ConnectionGrant): string {
  if (grant.url === undefined) throw new ConfigError(`the ${grant.type} has no url`);
  return grant.url;
}

function port(env: Env): number {
  for (const name of CALLBACK_ENV.port) {
    const value = read(env, name);
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || Number(value) > 65_535)
      throw new ConfigError(`${name}: invalid port ${JSON.stringify(value)}`, { setting: name });
    return Number(value);
  }
  return 0;
}

/**
 * Admit this node as `FAME_ADMISSION_PROFILE` says (admission-and-http §1.1) and prepare the
 * dialer of its parent link: `welcome` asks the welcome service now (so the node starts with
 * the id, logicals and grant it was given), `direct`/`direct-http`/`open` build the welcome from
 * `FAME_DIRECT_ADMISSION_URL`, `noop`/`none` give a root. Every reconnect admits again; a welcome
 * is renewed before it expires.
 *
 * @throws ConfigError naming the variable that is missing or invalid (the node never runs
 *   without the admission it was asked for); the welcome service's refusal
 *   (`AUTHENTICATION_FAILED`, `ADMISSION_REJECTED`, `INVALID_HELLO`, `ADMISSION_FAILED`)
 *
 * @example
 * ```ts
 * // doc: typecheck-only (it needs a running parent)
 * import { createFabric } from '@naylence/fabric';
 * import { admitFromEnv } from '@naylence/cli';
 *
 * // FAME_ADMISSION_PROFILE=direct-http FAME_DIRECT_ADMISSION_URL=http://127.0.0.1:8000/fame/v1/ingress/downstream
 * await using admitted = await admitFromEnv({ logicals: ['fame.fabric'] });
 * await using agent = await createFabric({ ...admitted.fabricOptions });
 * await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
 * ```
 */
export async function admitFromEnv(options: AdmitOptions = {}): Promise<AdmittedNode> {
  const given = options.env ?? process.env;
  const env = options.parentUrl === undefined ? given : { ...given, [ADMISSION_ENV.directUrl]: options.parentUrl };
  const logger = options.logger ?? NOOP_LOGGER;
  const profile = admissionProfileFromEnv(env, options.profile);
  const identityPolicy = identityPolicyProfile(read(env, ADMISSION_ENV.identityProfile));
  const token = options.token ?? read(env, ENV_PARENT_TOKEN);
  let callback = options.callback;
  let ownsCallback = false;
  const callbackListener = (): HttpListener => {
    if (callback === undefined) {
      callback = new HttpListener({ host: read(env, CALLBACK_ENV.host) ?? '127.0.0.1', port: port(env), logger });
      ownsCallback = true;
    }
    return callback;
  };
  const dialers: Record<string, GrantDialerFactory> = {
    [WEBSOCKET_CONNECTION_GRANT]: (grant, auth) => new WebSocketDialer({ url: grantUrl(grant), logger, ...webSocketDialerAuth(auth) }),
    [HTTP_CONNECTION_GRANT]: (grant, auth) => {
      const tokenProvider = httpTokenProvider(auth);
      return new HttpDialer({
        url: grantUrl(grant),
        callback: callbackListener(),
        logger,
        ...(tokenProvider !== undefined && { tokenProvider }),
      });
    },
    ...options.dialers,
  };
  const client = admissionClientForProfile(
    profile,
    {
      env,
      identityPolicy,
      supportedTransports: [...new Set(Object.keys(dialers).map(transportOf))],
      ...(token !== undefined && { token }),
      ...(options.fetch !== undefined && { fetch: options.fetch }),
      logger,
    },
    options.profiles,
  );
  if (identityPolicy.name === 'token-subject' && !client.hasUpstream) {
    throw new ConfigError(
      `${ADMISSION_ENV.identityProfile}=token-subject needs a parent and an admission token; ${profile} admission has neither`,
      {
        setting: ADMISSION_ENV.identityProfile,
      },
    );
  }
  const dialer = new AdmissionDialer({
    client,
    dialers,
    ...(options.logicals !== undefined && { logicals: options.logicals }),
    ...(options.capabilities !== undefined && { capabilities: options.capabilities }),
    logger,
  });
  const provisionalId = options.systemId ?? read(env, 'FAME_NODE_ID') ?? identityPolicy.initialId({});
  const welcome = await dialer.admit(provisionalId, options.signal);
  logger.info(
    { profile, systemId: welcome.systemId, assignedPath: welcome.assignedPath, expiresAt: welcome.expiresAt?.toISOString() },
    'admitted',
  );
  const hasUpstream = client.hasUpstream;
  const close = async (): Promise<void> => {
    dialer.close();
    if (ownsCallback) await callback?.close();
  };
  return {
    profile,
    welcome,
    systemId: welcome.systemId,
    hasUpstream,
    dialer,
    fabricOptions: {
      systemId: welcome.systemId,
      // A welcome service's accepted logicals are all the node may use (its attach token says so);
      // direct admission accepts what was asked, or any (`*`).
      ...(welcome.acceptedLogicals !== undefined && { requestedLogicals: welcome.acceptedLogicals }),
      ...(hasUpstream && {
        connect: {
          dialer,
          ...(options.reconnect !== undefined && { reconnect: options.reconnect }),
          ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
        },
      }),
      enforces: { admission: [profile] },
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The transport name a hello lists for a grant type (`websocket`, `http`). */
function transportOf(grantType: string): string {
  if (grantType === WEBSOCKET_CONNECTION_GRANT) return 'websocket';
  if (grantType === HTTP_CONNECTION_GRANT) return 'http';
  return grantType.replace(/ConnectionGrant$/, '').toLowerCase();
}
