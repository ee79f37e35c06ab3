import { parseArgs } from 'node:util';
import { ConfigError } from '@naylence/core';
import { SENTINEL_LIMITS, type SentinelLimits } from './limits.js';
import { toLogLevel, type LogLevel } from './log-level.js';

/** Everything `naylence sentinel` can be told, after flags and environment are merged. */
export interface SentinelCliOptions {
  /** System id; absent = a random id (set one for a stable physical path across restarts). */
  readonly id?: string;
  /** Interface the WebSocket listener binds. */
  readonly host: string;
  /** Port of the WebSocket listener; 0 picks an ephemeral port. */
  readonly port: number;
  /** Shared secrets a child must present as bearer token; empty = open listener. */
  readonly tokens: readonly string[];
  /** Attach this sentinel to a parent at this URL (`ws://…/fame/v1/attach/ws/downstream`). */
  readonly parentUrl?: string;
  /** Bearer token presented to the parent. */
  readonly parentToken?: string;
  /** Attempts of the first attach to the parent before giving up; 0 = retry forever. */
  readonly maxInitialAttempts: number;
  readonly logLevel: LogLevel;
  /** Print one line per envelope received or forwarded, on stdout. */
  readonly showEnvelopes: boolean;
  /** Shared secrets peer sentinels must present; empty = peers refused when `tokens` are set. */
  readonly peerTokens: readonly string[];
  /** Logicals whose routes peers learn; absent = every logical. */
  readonly peerLogicals?: readonly string[];
  /** Limits on hostile, broken or slow peers (see `SENTINEL_LIMITS`); absent ones keep their defaults. */
  readonly limits: SentinelLimits;
  /** Also accept children over HTTP on the same port (`/fame/v1/ingress/downstream`). */
  readonly http: boolean;
}

export const DEFAULT_SENTINEL_PORT = 8000;
/** Loopback only by default: `--host 0.0.0.0` (or FAME_LISTENER_HOST) opens the sentinel to the network. */
export const DEFAULT_SENTINEL_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** The environment variables `naylence sentinel` reads (the flag wins over each). */
export const SENTINEL_ENV = {
  id: 'FAME_NODE_ID',
  host: 'FAME_LISTENER_HOST',
  port: ['FAME_LISTENER_WEBSOCKET_PORT', 'FAME_LISTENER_PORT'],
  token: 'FAME_SENTINEL_TOKEN',
  parent: 'FAME_DIRECT_ADMISSION_URL',
  parentToken: 'FAME_PARENT_TOKEN',
  maxInitialAttempts: 'FAME_SESSION_MAX_INITIAL_ATTEMPTS',
  logLevel: 'FAME_LOG_LEVEL',
  showEnvelopes: 'FAME_SHOW_ENVELOPES',
  peerToken: 'FAME_PEER_TOKEN',
  peerLogicals: 'FAME_PEER_LOGICALS',
  http: 'FAME_LISTENER_HTTP_ENABLED',
} as const;

const FLAGS = {
  id: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  token: { type: 'string', multiple: true },
  parent: { type: 'string' },
  'parent-token': { type: 'string' },
  'max-initial-attempts': { type: 'string' },
  'log-level': { type: 'string' },
  'show-envelopes': { type: 'boolean' },
  'no-show-envelopes': { type: 'boolean' },
  'peer-token': { type: 'string', multiple: true },
  'peer-logicals': { type: 'string' },
  http: { type: 'boolean' },
  'no-http': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LIMIT_FLAGS = Object.fromEntries(Object.values(SENTINEL_LIMITS).map((l) => [l.flag, { type: 'string' } as const]));

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Merge `naylence sentinel` flags over the environment (flag > environment > default).
 *
 * | flag | environment | default |
 * | --- | --- | --- |
 * | `--id` | `FAME_NODE_ID` | random |
 * | `--host` | `FAME_LISTENER_HOST` | `127.0.0.1` (`0.0.0.0` = every interface) |
 * | `--port`, `-p` | `FAME_LISTENER_WEBSOCKET_PORT`, then `FAME_LISTENER_PORT` | 8000 |
 * | `--token` (repeatable) | `FAME_SENTINEL_TOKEN` | none: open |
 * | `--parent` | `FAME_DIRECT_ADMISSION_URL` | none: root |
 * | `--parent-token` | `FAME_PARENT_TOKEN` | none |
 * | `--max-initial-attempts` | `FAME_SESSION_MAX_INITIAL_ATTEMPTS` | 1 |
 * | `--log-level` | `FAME_LOG_LEVEL` | `info` |
 * | `--show-envelopes` / `--no-show-envelopes` | `FAME_SHOW_ENVELOPES` | off |
 * | `--peer-token` (repeatable) | `FAME_PEER_TOKEN` | none: no peers once `--token` is set |
 * | `--peer-logicals` (comma-separated) | `FAME_PEER_LOGICALS` | `*` |
 * | the limits of `SENTINEL_LIMITS` (`--max-connections`, …) | `FAME_MAX_CONNECTIONS`, … | see there |
 * | `--http` / `--no-http` | `FAME_LISTENER_HTTP_ENABLED` | off (the reference's sentinel config has it on) |
 *
 * Empty environment values count as unset.
 * @param argv the arguments after `sentinel`
 * @throws ConfigError (`INVALID_CONFIG`) for an unknown flag, a stray argument or an invalid value
 */
export function sentinelOptionsFromEnv(env: Env, argv: readonly string[] = []): SentinelCliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new ConfigError(`naylence sentinel: ${(error as Error).message}`);
  }
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const id = values.id ?? read(SENTINEL_ENV.id);
  if (id !== undefined && (id === '' || id.includes('/'))) throw new ConfigError(`invalid node id ${JSON.stringify(id)}`);
  const [portVar, fallbackPortVar] = SENTINEL_ENV.port;
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : read(portVar) !== undefined
        ? parsePort(read(portVar)!, portVar)
        : read(fallbackPortVar) !== undefined
          ? parsePort(read(fallbackPortVar)!, fallbackPortVar)
          : DEFAULT_SENTINEL_PORT;
  const envToken = read(SENTINEL_ENV.token);
  const tokens = values.token ?? (envToken === undefined ? [] : [envToken]);
  if (tokens.some((t) => t === '')) throw new ConfigError('--token must not be empty');
  const parentUrl = values.parent ?? read(SENTINEL_ENV.parent);
  // ws(s):// for direct/open, http(s):// for direct-http: the admission profile checks which.
  if (parentUrl !== undefined && !/^(wss?|https?):\/\//i.test(parentUrl))
    throw new ConfigError(`the parent URL must start with ws://, wss://, http:// or https://, got ${JSON.stringify(parentUrl)}`);
  const parentToken = values['parent-token'] ?? read(SENTINEL_ENV.parentToken);
  const attempts = values['max-initial-attempts'] ?? read(SENTINEL_ENV.maxInitialAttempts);
  const attemptsSource = values['max-initial-attempts'] !== undefined ? '--max-initial-attempts' : SENTINEL_ENV.maxInitialAttempts;
  const logLevel = values['log-level'] ?? read(SENTINEL_ENV.logLevel);
  const envShow = read(SENTINEL_ENV.showEnvelopes);
  const showEnvelopes = values['show-envelopes']
    ? true
    : values['no-show-envelopes']
      ? false
      : envShow === undefined
        ? false
        : parseBoolean(envShow, SENTINEL_ENV.showEnvelopes);

  const envPeerToken = read(SENTINEL_ENV.peerToken);
  const peerTokens = values['peer-token'] ?? (envPeerToken === undefined ? [] : [envPeerToken]);
  if (peerTokens.some((t) => t === '')) throw new ConfigError('--peer-token must not be empty');
  const peerLogicalsText = values['peer-logicals'] ?? read(SENTINEL_ENV.peerLogicals);
  const peerLogicals = peerLogicalsText
    ?.split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const limits: Record<string, number> = {};
  for (const [key, spec] of Object.entries(SENTINEL_LIMITS)) {
    const flag = (values as Record<string, unknown>)[spec.flag] as string | undefined;
    const text = flag ?? read(spec.env);
    if (text !== undefined) limits[key] = parseCount(text, flag !== undefined ? `--${spec.flag}` : spec.env);
  }
  const envHttp = read(SENTINEL_ENV.http);
  const http = values.http ? true : values['no-http'] ? false : envHttp === undefined ? false : parseBoolean(envHttp, SENTINEL_ENV.http);

  return {
    ...(id !== undefined && { id }),
    host: values.host ?? read(SENTINEL_ENV.host) ?? DEFAULT_SENTINEL_HOST,
    port,
    tokens,
    ...(parentUrl !== undefined && { parentUrl }),
    ...(parentToken !== undefined && { parentToken }),
    maxInitialAttempts: attempts === undefined ? 1 : parseCount(attempts, attemptsSource),
    logLevel: logLevel === undefined ? DEFAULT_LOG_LEVEL : toLogLevel(logLevel),
    showEnvelopes,
    peerTokens,
    ...(peerLogicals !== undefined && { peerLogicals }),
    limits,
    http,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: { ...FLAGS, ...LIMIT_FLAGS }, strict: true, allowPositionals: false });
}

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new ConfigError(`${source}: invalid port ${JSON.stringify(text)} (0–65535)`);
  return port;
}

function parseCount(text: string, source: string): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${source}: expected a whole number ≥ 0, got ${JSON.stringify(text)}`);
  return Number(text);
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function parseBoolean(text: string, source: string): boolean {
  const value = text.toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigError(`${source}: expected true or false, got ${JSON.stringify(text)}`);
}
