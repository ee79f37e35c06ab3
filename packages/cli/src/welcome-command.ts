import { parseArgs } from 'node:util';
import { ConfigError } from '@naylence/core';
import { formatBanner, serveUntilStopped, type CliIo } from './lifecycle.js';
import { toLogLevel, type LogLevel } from './log-level.js';
import { createPinoLogger } from './logger.js';
import type { Env } from './options.js';
import { cliVersion } from './version.js';
import { loadFameConfig, welcomeConfigFrom } from './welcome-config.js';
import { DEFAULT_WELCOME_HOST, DEFAULT_WELCOME_PORT, runWelcomeServer } from './welcome-server.js';

export const WELCOME_USAGE = `Usage: naylence welcome [options]

Run a welcome (admission) server, compatible with the reference's node-welcome-server and its
environment: nodes POST a NodeHello to /fame/v1/welcome/hello and get a NodeWelcome with
their place and an attach token for their parent sentinel.
Prints "READY <base url>" on stdout once listening; stops gracefully on SIGINT/SIGTERM.

Options (each overrides its environment variable):
      --host <host>         interface to bind        FAME_APP_HOST (default: 127.0.0.1)
  -p, --port <port>         port, 0 = ephemeral      FAME_APP_PORT (default: 8090)
      --config <path|yaml>  the config               FAME_CONFIG (required: a file, or inline YAML/JSON)
      --log-level <level>   TRACE DEBUG INFO WARNING ERROR CRITICAL OFF
                                                     FAME_LOG_LEVEL (default: info; logs go to stderr)
  -h, --help                show this help

FAME_CONFIG holds a "welcome:" section (the reference's format, either casing):
  welcome:
    placement: {type: StaticNodePlacementStrategy, target_system_id: sentinel-a, target_physical_path: /sentinel-a}
    transport: {type: WebSocketTransportProvisioner, url: ws://127.0.0.1:8000/fame/v1/attach/ws/downstream}
                (or HttpTransportProvisioner with .../fame/v1/ingress/downstream; or a "transports" list)
    token_issuer: {type: JWTTokenIssuer, issuer: ..., ttl_sec: 3600}   (issuer default: <base url>/fame/welcome)
    authorizer: {type: AuthorizationProfile, profile: oauth2}          (reads FAME_JWT_* ; or SharedSecretAuthorizer)
    ttl_sec: 3600
Other environment: FAME_JWKS_KEY_TYPES, FAME_SHOW_ENVELOPES, FAME_JWT_* (for the authorizer).
A sentinel checks the attach tokens with FAME_AUTHORIZATION_PROFILE=jwt,
FAME_JWT_TRUSTED_ISSUER=<issuer> and FAME_JWKS_URL=<base url>/fame/welcome/.well-known/jwks.json.

Docs: docs/guides/admission.md
`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `naylence welcome`: exit 0 when stopped, 1 when it could not start, 2 on bad usage. */
export async function welcomeCommand(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(WELCOME_USAGE);
    return 0;
  }
  let options: Parameters<typeof runWelcomeServer>[0];
  let logLevel: LogLevel;
  try {
    let values: { host?: string; port?: string; config?: string; 'log-level'?: string };
    try {
      ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
    } catch (error) {
      throw new ConfigError(`naylence welcome: ${(error as Error).message}`);
    }
    const portText = values.port ?? read(env, 'FAME_APP_PORT');
    if (portText !== undefined && (!/^\d+$/.test(portText) || Number(portText) > 65_535))
      throw new ConfigError(`${values.port !== undefined ? '--port' : 'FAME_APP_PORT'}: invalid port ${JSON.stringify(portText)}`);
    const source = values.config ?? read(env, 'FAME_CONFIG');
    if (source === undefined) throw new ConfigError('FAME_CONFIG (or --config) is required: the welcome section of the config');
    const level = values['log-level'] ?? read(env, 'FAME_LOG_LEVEL');
    logLevel = level === undefined ? 'info' : toLogLevel(level);
    const logger = createPinoLogger(logLevel);
    const keyTypes = read(env, 'FAME_JWKS_KEY_TYPES')
      ?.split(/[\s,]+/)
      .filter((t) => t !== '');
    const show = ['1', 'true', 'yes', 'on'].includes(read(env, 'FAME_SHOW_ENVELOPES')?.toLowerCase() ?? '');
    options = {
      ...welcomeConfigFrom(loadFameConfig(source, env), env, logger),
      host: values.host ?? read(env, 'FAME_APP_HOST') ?? DEFAULT_WELCOME_HOST,
      port: portText === undefined ? DEFAULT_WELCOME_PORT : Number(portText),
      ...(keyTypes !== undefined && { jwksKeyTypes: keyTypes }),
      ...(show && { onWelcome: (frame) => io.stdout.write(`${JSON.stringify(frame)}\n`) }),
      logger,
    };
  } catch (error) {
    io.stderr.write(`naylence: ${(error as Error).message}\nTry 'naylence welcome --help'.\n`);
    return 2;
  }
  return serveUntilStopped(
    io,
    'welcome server',
    () => runWelcomeServer(options),
    (server) =>
      formatBanner(`naylence welcome ${cliVersion()}`, [
        ['listening', `${options.host ?? DEFAULT_WELCOME_HOST}:${server.port}`],
        ['hello', server.helloUrl],
        ['jwks', server.jwksUrl],
        ['issuer', server.issuer],
        ['signing', `${server.keys.current.algorithm}, kid ${server.keys.current.kid}`],
        ['callers', options.authorizerName],
        ['log level', `${logLevel} (stderr)`],
      ]),
  );
}
