import { isFameError } from '@naylence/core';
import { aborted, processSignal, reasonOf, type CliIo } from './lifecycle.js';
import { oauth2ServerCommand } from './oauth2-server-command.js';
import { sentinelOptionsFromEnv, type Env, type SentinelCliOptions } from './options.js';
import { runSentinel, type RunningSentinel } from './sentinel.js';
import { cliVersion } from './version.js';
import { SENTINEL_LIMITS } from './limits.js';
import { welcomeCommand } from './welcome-command.js';

export type { CliIo } from './lifecycle.js';

export const MAIN_USAGE = `Usage: naylence <command> [options]

Commands:
  sentinel          run a sentinel: a router agents and clients attach to over WebSocket
  oauth2-server     run a development OAuth2 token server (client credentials, JWKS)
  welcome           run a welcome (admission) server: places nodes, issues attach tokens

Options:
  -h, --help        show this help (naylence <command> --help for a command's options)
  -v, --version     print the version

Docs: docs/guides/run-a-sentinel.md
`;

export const SENTINEL_USAGE = `Usage: naylence sentinel [options]

Run a sentinel with a WebSocket listener. Children attach at
  ws://{host}:{port}/fame/v1/attach/ws/downstream/{their id}
Prints "READY <attach url>" on stdout once listening; stops gracefully on SIGINT/SIGTERM.

Options (each overrides its environment variable):
      --id <id>                   system id                   FAME_NODE_ID (default: random)
      --host <host>               interface to bind; 0.0.0.0 = every interface
                                                              FAME_LISTENER_HOST (default: 127.0.0.1)
  -p, --port <port>               port, 0 = ephemeral         FAME_LISTENER_WEBSOCKET_PORT, FAME_LISTENER_PORT (default: 8000)
      --token <secret>            shared secret children must present as bearer token;
                                  repeat for several          FAME_SENTINEL_TOKEN (default: none, open)
      --parent <url>              attach to a parent sentinel FAME_DIRECT_ADMISSION_URL (default: none, root)
      --parent-token <token>      token for the parent        FAME_PARENT_TOKEN
      --max-initial-attempts <n>  first attach attempts to the parent, 0 = forever
                                                              FAME_SESSION_MAX_INITIAL_ATTEMPTS (default: 1)
      --log-level <level>         TRACE DEBUG INFO WARNING ERROR CRITICAL OFF (or pino names)
                                                              FAME_LOG_LEVEL (default: info; logs go to stderr)
      --show-envelopes            print every envelope received or forwarded, one line each
      --no-show-envelopes                                     FAME_SHOW_ENVELOPES (default: off)
      --peer-token <secret>       shared secret peer sentinels must present; repeat for several
                                                              FAME_PEER_TOKEN (default: none; with --token, no peers)
      --peer-logicals <list>      logicals whose routes peers learn, comma-separated
                                                              FAME_PEER_LOGICALS (default: *)
      --http                      also accept children over HTTP on the same port:
      --no-http                   http://{host}:{port}/fame/v1/ingress/downstream
                                                              FAME_LISTENER_HTTP_ENABLED (default: off)
  -h, --help                      show this help

Limits on hostile, broken or slow peers (each also FAME_<NAME>, see the guide):
${limitUsage()}

Security (environment only, the reference's variables; the sentinel refuses to start rather
than run without what they ask for):
  FAME_SECURITY_PROFILE        open (default), gated, gated-callback, overlay, overlay-callback
  FAME_AUTHORIZATION_PROFILE   noop, oauth2, oauth2-gated, oauth2-callback, jwt, policy-localfile
  FAME_JWT_TRUSTED_ISSUER, FAME_JWT_AUDIENCE, FAME_JWT_ALGORITHM, FAME_JWKS_URL,
  FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY, FAME_TRUSTED_CLIENT_SCOPE, FAME_HMAC_SECRET, …
  FAME_ADMISSION_PROFILE       direct, direct-http, open, welcome, none (towards a parent), with
  FAME_ADMISSION_TOKEN_URL, FAME_ADMISSION_CLIENT_ID, FAME_ADMISSION_CLIENT_SECRET,
                               FAME_ADMISSION_SERVICE_URL (welcome)
  FAME_PLUGINS                 security add-ons to load
Docs: docs/guides/security-profiles.md
`;

function limitUsage(): string {
  return Object.values(SENTINEL_LIMITS)
    .map((l) => `      --${`${l.flag} <n>`.padEnd(30)}${l.env} (default: ${l.default})`)
    .join('\n');
}

/**
 * The `naylence` command. Returns the exit code: 0 done, 1 failed at run time, 2 bad usage.
 * @param argv the arguments after the program name
 */
export async function main(argv: readonly string[], env: Env = process.env, io: CliIo = process): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(MAIN_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  if (command === 'sentinel') return sentinelCommand(rest, env, io);
  if (command === 'oauth2-server') return oauth2ServerCommand(rest, env, io);
  if (command === 'welcome') return welcomeCommand(rest, env, io);
  io.stderr.write(`naylence: unknown command ${JSON.stringify(command)}\n\n${MAIN_USAGE}`);
  return 2;
}

async function sentinelCommand(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(SENTINEL_USAGE);
    return 0;
  }
  let options: SentinelCliOptions;
  try {
    options = sentinelOptionsFromEnv(env, argv);
  } catch (error) {
    io.stderr.write(`naylence: ${(error as Error).message}\nTry 'naylence sentinel --help'.\n`);
    return 2;
  }

  const stopSignal: { signal: AbortSignal; dispose?(): void } = io.signal ? { signal: io.signal } : processSignal();
  let sentinel: RunningSentinel;
  try {
    sentinel = await runSentinel({ ...options, env, write: (text) => io.stdout.write(text), signal: stopSignal.signal });
  } catch (error) {
    stopSignal.dispose?.();
    if (isFameError(error, 'ABORTED') && stopSignal.signal.aborted) {
      io.stdout.write(`stopped before it was ready (${reasonOf(stopSignal.signal)})\n`);
      return 0;
    }
    const code = isFameError(error) ? ` [${error.code}]` : '';
    io.stderr.write(`naylence: the sentinel could not start${code}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    io.stdout.write(banner(sentinel, options));
    io.stdout.write(`READY ${sentinel.url}\n`);
    const reason = await aborted(stopSignal.signal);
    io.stdout.write(`stopping (${reason})…\n`);
  } finally {
    stopSignal.dispose?.();
    await sentinel.stop();
  }
  io.stdout.write('stopped\n');
  return 0;
}

function banner(sentinel: RunningSentinel, options: SentinelCliOptions): string {
  const rows: [string, string][] = [
    ['id', sentinel.id],
    ['path', sentinel.physicalPath],
    ['listening', `${options.host}:${sentinel.port}`],
    ['attach', sentinel.url],
    ...(sentinel.ingressUrl !== undefined ? [['http', sentinel.ingressUrl] as [string, string]] : []),
    ['health', sentinel.healthUrl],
    [
      'auth',
      options.tokens.length > 0
        ? `shared secret (${options.tokens.length} token${options.tokens.length > 1 ? 's' : ''})`
        : sentinel.security.authorizerProfile !== 'noop'
          ? `${sentinel.security.authorizerProfile} tokens`
          : 'open: no token required',
    ],
    ['security', `profile ${sentinel.fabric.profiles.security}, authorization ${sentinel.fabric.profiles.authorization}`],
    ['parent', options.parentUrl === undefined ? 'none (root)' : `${options.parentUrl} (attached)`],
    ['log level', `${options.logLevel} (stderr)`],
  ];
  if (options.showEnvelopes) rows.push(['envelopes', 'printed below, one line each']);
  const body = rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}\n`).join('');
  return `naylence sentinel ${cliVersion()}\n${body}Stop with Ctrl+C (SIGINT) or SIGTERM.\n`;
}
