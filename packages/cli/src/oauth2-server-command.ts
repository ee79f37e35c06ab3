import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '@naylence/core';
import type { OAuth2PkceOptions } from '@naylence/fastify-plugins';
import { ASYMMETRIC_JWT_ALGORITHMS, parseJwtAlgorithm, type AsymmetricJwtAlgorithm } from '@naylence/security';
import { formatBanner, serveUntilStopped, type CliIo } from './lifecycle.js';
import { toLogLevel, type LogLevel } from './log-level.js';
import { createPinoLogger } from './logger.js';
import {
  DEFAULT_OAUTH2_AUDIENCE,
  DEFAULT_OAUTH2_HOST,
  DEFAULT_OAUTH2_ISSUER,
  DEFAULT_OAUTH2_PORT,
  runOAuth2Server,
  type RunOAuth2ServerOptions,
  type RunningOAuth2Server,
} from './oauth2-server.js';
import type { Env } from './options.js';
import { cliVersion } from './version.js';

export const OAUTH2_SERVER_USAGE = `Usage: naylence oauth2-server [options]

Run a development OAuth2 token server (client credentials; JWKS; OpenID discovery), compatible
with the reference dev server and its environment. For development and tests only.
Prints "READY <base url>" on stdout once listening; stops gracefully on SIGINT/SIGTERM.

Options (each overrides its environment variable):
      --host <host>         interface to bind        APP_HOST (default: 127.0.0.1)
  -p, --port <port>         port, 0 = ephemeral      APP_PORT (default: 8099)
      --log-level <level>   TRACE DEBUG INFO WARNING ERROR CRITICAL OFF
                                                     FAME_LOG_LEVEL (default: info; logs go to stderr)
  -h, --help                show this help

Environment:
  FAME_JWT_CLIENT_ID, FAME_JWT_CLIENT_SECRET   the one client (required)
  FAME_JWT_ISSUER          token iss (default: https://auth.fame.fabric)
  FAME_JWT_AUDIENCE        aud when the request names none (default: fame-fabric)
  FAME_JWT_ALGORITHM       EdDSA (default), RS256, ES256, …
  FAME_JWT_ALLOWED_SCOPES  grantable scopes (default: node.connect)
  FAME_JWKS_KEY_TYPES      publish only these kty values (default: all)
  FAME_JWT_SIGNING_KEY_FILE, FAME_JWT_SIGNING_KEY_ID   PKCS#8 PEM key (default: a new key per start)
  FAME_OAUTH_ENABLE_PKCE=true with FAME_OAUTH_REDIRECT_URIS   authorization code + PKCE (default: off)
  FAME_OAUTH_ENABLE_DEV_LOGIN, FAME_OAUTH_DEV_USERNAME, FAME_OAUTH_DEV_PASSWORD   developer login (default: off)
  FAME_OAUTH_ALLOW_PUBLIC_CLIENTS (needs the developer login), FAME_OAUTH_CODE_TTL_SEC,
  FAME_OAUTH_SESSION_COOKIE_NAME, FAME_OAUTH_SESSION_TTL_SEC, FAME_OAUTH_SESSION_SECURE, FAME_OAUTH_LOGIN_TITLE

Docs: docs/guides/security-profiles.md
`;

/** `naylence oauth2-server` settings after flags and environment are merged. */
export interface OAuth2ServerCliOptions extends RunOAuth2ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
}

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Merge `naylence oauth2-server` flags over the reference dev server's environment.
 * @throws ConfigError naming the flag or variable that is missing or invalid
 */
export function oauth2ServerOptionsFromEnv(env: Env, argv: readonly string[] = []): OAuth2ServerCliOptions {
  let values: { host?: string; port?: string; 'log-level'?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`naylence oauth2-server: ${(error as Error).message}`);
  }
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = read(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(value)}`);
  };
  const integer = (text: string | undefined, source: string, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new ConfigError(`${source}: invalid value ${JSON.stringify(text)}`);
    return Number(text);
  };
  const list = (name: string): string[] | undefined =>
    read(name)
      ?.split(/[\s,]+/)
      .filter((s) => s !== '');

  const clientId = read('FAME_JWT_CLIENT_ID');
  const clientSecret = read('FAME_JWT_CLIENT_SECRET');
  if (clientId === undefined || clientSecret === undefined)
    throw new ConfigError('FAME_JWT_CLIENT_ID and FAME_JWT_CLIENT_SECRET must be set');
  const algorithm = parseJwtAlgorithm(read('FAME_JWT_ALGORITHM') ?? 'EdDSA', 'FAME_JWT_ALGORITHM');
  if (!(ASYMMETRIC_JWT_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new ConfigError(
      `FAME_JWT_ALGORITHM: the token server signs with a key pair (${ASYMMETRIC_JWT_ALGORITHMS.join(', ')}), not ${algorithm}`,
    );
  }
  const keyFile = read('FAME_JWT_SIGNING_KEY_FILE');
  let signingKeyPem: string | undefined;
  if (keyFile !== undefined) {
    try {
      signingKeyPem = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`FAME_JWT_SIGNING_KEY_FILE: cannot read ${JSON.stringify(keyFile)}: ${(error as Error).message}`);
    }
  }
  const signingKeyId = read('FAME_JWT_SIGNING_KEY_ID');
  const scopes = list('FAME_JWT_ALLOWED_SCOPES');
  const keyTypes = list('FAME_JWKS_KEY_TYPES');
  const pkce = pkceFromEnv(read, flag, integer, list);
  const logLevel = values['log-level'] ?? read('FAME_LOG_LEVEL');
  return {
    host: values.host ?? read('APP_HOST') ?? DEFAULT_OAUTH2_HOST,
    port: integer(values.port ?? read('APP_PORT'), values.port !== undefined ? '--port' : 'APP_PORT', 65_535) ?? DEFAULT_OAUTH2_PORT,
    clientId,
    clientSecret,
    issuer: read('FAME_JWT_ISSUER') ?? DEFAULT_OAUTH2_ISSUER,
    audience: read('FAME_JWT_AUDIENCE') ?? DEFAULT_OAUTH2_AUDIENCE,
    algorithm: algorithm as AsymmetricJwtAlgorithm,
    ...(scopes !== undefined && { allowedScopes: scopes }),
    ...(keyTypes !== undefined && { jwksKeyTypes: keyTypes }),
    ...(signingKeyPem !== undefined && { signingKeyPem }),
    ...(signingKeyId !== undefined && { signingKeyId }),
    ...(pkce !== undefined && { pkce }),
    logLevel: logLevel === undefined ? 'info' : toLogLevel(logLevel),
  };
}

/** PKCE and the developer login: off unless switched on explicitly (the reference has PKCE on, S2). */
function pkceFromEnv(
  read: (name: string) => string | undefined,
  flag: (name: string, fallback: boolean) => boolean,
  integer: (text: string | undefined, source: string) => number | undefined,
  list: (name: string) => string[] | undefined,
): OAuth2PkceOptions | undefined {
  if (!flag('FAME_OAUTH_ENABLE_PKCE', false)) return undefined;
  const redirectUris = list('FAME_OAUTH_REDIRECT_URIS');
  if (redirectUris === undefined)
    throw new ConfigError('FAME_OAUTH_ENABLE_PKCE needs FAME_OAUTH_REDIRECT_URIS (the registered redirect URIs)');
  const username = read('FAME_OAUTH_DEV_USERNAME');
  const password = read('FAME_OAUTH_DEV_PASSWORD');
  const devLogin = flag('FAME_OAUTH_ENABLE_DEV_LOGIN', username !== undefined && password !== undefined);
  if (devLogin && (username === undefined || password === undefined)) {
    throw new ConfigError('the developer login needs FAME_OAUTH_DEV_USERNAME and FAME_OAUTH_DEV_PASSWORD');
  }
  const codeTtlSec = integer(read('FAME_OAUTH_CODE_TTL_SEC'), 'FAME_OAUTH_CODE_TTL_SEC');
  const sessionTtlSec = integer(read('FAME_OAUTH_SESSION_TTL_SEC'), 'FAME_OAUTH_SESSION_TTL_SEC');
  const cookieName = read('FAME_OAUTH_SESSION_COOKIE_NAME');
  const title = read('FAME_OAUTH_LOGIN_TITLE');
  return {
    redirectUris,
    allowPublicClients: flag('FAME_OAUTH_ALLOW_PUBLIC_CLIENTS', false),
    ...(codeTtlSec !== undefined && { codeTtlSec }),
    ...(devLogin && {
      devLogin: {
        username: username!,
        password: password!,
        secureCookie: flag('FAME_OAUTH_SESSION_SECURE', false),
        ...(cookieName !== undefined && { cookieName }),
        ...(sessionTtlSec !== undefined && { sessionTtlSec }),
        ...(title !== undefined && { title }),
      },
    }),
  };
}

/** `naylence oauth2-server`: exit 0 when stopped, 1 when it could not start, 2 on bad usage. */
export async function oauth2ServerCommand(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(OAUTH2_SERVER_USAGE);
    return 0;
  }
  let options: OAuth2ServerCliOptions;
  try {
    options = oauth2ServerOptionsFromEnv(env, argv);
  } catch (error) {
    io.stderr.write(`naylence: ${(error as Error).message}\nTry 'naylence oauth2-server --help'.\n`);
    return 2;
  }
  return serveUntilStopped(
    io,
    'OAuth2 server',
    () => runOAuth2Server({ ...options, logger: createPinoLogger(options.logLevel) }),
    (server) => banner(server, options),
  );
}

function banner(server: RunningOAuth2Server, options: OAuth2ServerCliOptions): string {
  const rows: [string, string][] = [
    ['listening', `${options.host}:${server.port}`],
    ['token', server.tokenUrl],
    ['jwks', server.jwksUrl],
    ['issuer', server.issuer],
    ['audience', server.audience],
    [
      'signing',
      `${server.keys.current.algorithm}, kid ${server.keys.current.kid}${options.signingKeyPem === undefined ? ' (new key: restarting invalidates issued tokens)' : ''}`,
    ],
    ['client', options.clientId],
    ['pkce', options.pkce === undefined ? 'off' : `on${options.pkce.devLogin ? ', developer login' : ''}`],
  ];
  return formatBanner(`naylence oauth2-server ${cliVersion()} (development only)`, rows);
}
