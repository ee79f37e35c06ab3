import { ConfigError, Registry, type Environment, type Logger } from '@naylence/core';
import type { TokenProviderConfigOptions } from '@naylence/security';
import { authInjectionFromConfig } from '@naylence/security';
import type { AdmissionClient } from './admission-client.js';
import { directAdmissionClient } from './direct-admission.js';
import { HTTP_CONNECTION_GRANT, INPAGE_CONNECTION_GRANT, NODE_ATTACH_PURPOSE, WEBSOCKET_CONNECTION_GRANT } from './grants.js';
import { defaultIdentityPolicy, type NodeIdentityPolicy } from './identity-policy.js';
import { noopAdmissionClient } from './noop-admission.js';
import { welcomeServiceClient } from './welcome-client.js';

/** The reference's admission variables (admission-and-http §1.1). */
export const ADMISSION_ENV = {
  profile: 'FAME_ADMISSION_PROFILE',
  directUrl: 'FAME_DIRECT_ADMISSION_URL',
  serviceUrl: 'FAME_ADMISSION_SERVICE_URL',
  tokenUrl: 'FAME_ADMISSION_TOKEN_URL',
  clientId: 'FAME_ADMISSION_CLIENT_ID',
  clientSecret: 'FAME_ADMISSION_CLIENT_SECRET',
  audience: 'FAME_JWT_AUDIENCE',
  root: 'FAME_ROOT',
  identityProfile: 'FAME_NODE_IDENTITY_PROFILE',
  authorizeUrl: 'FAME_ADMISSION_AUTHORIZE_URL',
  redirectUrl: 'FAME_ADMISSION_REDIRECT_URL',
  loginHintParam: 'FAME_ADMISSION_LOGIN_HINT_PARAM',
  codeChallengeMethod: 'FAME_ADMISSION_CODE_CHALLENGE_METHOD',
  codeVerifierLength: 'FAME_ADMISSION_CODE_VERIFIER_LENGTH',
  inPageChannel: 'FAME_DIRECT_INPAGE_CHANNEL',
} as const;

/** The in-page channel of `direct-inpage` when `FAME_DIRECT_INPAGE_CHANNEL` is unset (the reference's). */
export const DEFAULT_INPAGE_CHANNEL = 'naylence-fabric';

/** What an admission profile is built from. */
export interface AdmissionProfileContext {
  /** Where the variables are read. */
  readonly env: Environment;
  /** Node identity policy for direct admission (`FAME_NODE_IDENTITY_PROFILE`). Default `default`. */
  readonly identityPolicy?: NodeIdentityPolicy;
  /** Transports the node can dial, sent in welcome hellos. Default `["websocket"]`. */
  readonly supportedTransports?: readonly string[];
  /** Token provider hooks (browser PKCE: `authorize`, `storage`, `navigate`). */
  readonly pkce?: TokenProviderConfigOptions['pkce'];
  /** A static bearer token for `direct`/`direct-http` when no OAuth2 client is configured (e.g. `--parent-token`). */
  readonly token?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly logger?: Logger;
}

export type AdmissionProfileFactory = (context: AdmissionProfileContext) => AdmissionClient;

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: Environment, name: string, profile: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(`${name} is required by the ${profile} admission profile`, { setting: name });
  return value;
}

const OAUTH2_VARIABLES = [ADMISSION_ENV.tokenUrl, ADMISSION_ENV.clientId, ADMISSION_ENV.clientSecret] as const;

/**
 * The token provider config of the admission profiles (§1.1): OAuth2 client credentials from
 * `FAME_ADMISSION_TOKEN_URL` / `_CLIENT_ID` / `_CLIENT_SECRET` (scope `node.connect`, audience
 * `FAME_JWT_AUDIENCE` when set), the secret read from the environment when used (never copied
 * into the grant). None of the three set: the context's static token, else none (unlike the
 * reference, which then runs with no parent at all, §10). Some but not all: a ConfigError.
 */
function clientCredentials(context: AdmissionProfileContext, profile: string): Record<string, unknown> | undefined {
  const { env } = context;
  const set = OAUTH2_VARIABLES.filter((name) => read(env, name) !== undefined);
  if (set.length === 0) return context.token === undefined ? undefined : { type: 'StaticTokenProvider', token: context.token };
  for (const name of OAUTH2_VARIABLES) required(env, name, profile);
  const audience = read(env, ADMISSION_ENV.audience);
  return {
    type: 'OAuth2ClientCredentialsTokenProvider',
    tokenUrl: read(env, ADMISSION_ENV.tokenUrl),
    clientId: `env://${ADMISSION_ENV.clientId}`,
    clientSecret: `env://${ADMISSION_ENV.clientSecret}`,
    scopes: ['node.connect'],
    ...(audience !== undefined && { audience }),
  };
}

/** The PKCE token provider config (browser): `FAME_ADMISSION_AUTHORIZE_URL`, `_TOKEN_URL`, `_REDIRECT_URL`, `_CLIENT_ID`, … */
function pkceProvider(context: AdmissionProfileContext, profile: string): Record<string, unknown> {
  const { env } = context;
  const audience = read(env, ADMISSION_ENV.audience);
  return {
    type: 'OAuth2PkceTokenProvider',
    authorizeUrl: required(env, ADMISSION_ENV.authorizeUrl, profile),
    tokenUrl: required(env, ADMISSION_ENV.tokenUrl, profile),
    redirectUri: required(env, ADMISSION_ENV.redirectUrl, profile),
    clientId: required(env, ADMISSION_ENV.clientId, profile),
    loginHintParam: read(env, ADMISSION_ENV.loginHintParam) ?? 'login_hint',
    codeChallengeMethod: read(env, ADMISSION_ENV.codeChallengeMethod) ?? 'S256',
    codeVerifierLength: Number(read(env, ADMISSION_ENV.codeVerifierLength) ?? '64'),
    scopes: ['node.connect'],
    ...(audience !== undefined && { audience }),
  };
}

function directUrl(env: Environment, profile: string, schemes: readonly string[]): string {
  const url = required(env, ADMISSION_ENV.directUrl, profile);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || !schemes.includes(scheme)) {
    throw new ConfigError(
      `${ADMISSION_ENV.directUrl} must be a ${schemes.join(':// or ')}:// URL for the ${profile} admission profile, got ${url}`,
      {
        setting: ADMISSION_ENV.directUrl,
      },
    );
  }
  return url;
}

function direct(context: AdmissionProfileContext, grant: Record<string, unknown>): AdmissionClient {
  return directAdmissionClient({
    grants: [grant],
    identityPolicy: context.identityPolicy ?? defaultIdentityPolicy,
    tokens: { env: context.env, ...(context.pkce !== undefined && { pkce: context.pkce }) },
  });
}

function welcome(context: AdmissionProfileContext, provider: Record<string, unknown> | undefined): AdmissionClient {
  const { env } = context;
  const root = read(env, ADMISSION_ENV.root)?.toLowerCase();
  if (root !== undefined && !['true', 'false', '1', '0'].includes(root))
    throw new ConfigError(`${ADMISSION_ENV.root}: expected true or false, got ${root}`, { setting: ADMISSION_ENV.root });
  return welcomeServiceClient({
    url: required(env, ADMISSION_ENV.serviceUrl, 'welcome'),
    supportedTransports: context.supportedTransports ?? ['websocket'],
    auth: authInjectionFromConfig(
      provider === undefined ? { type: 'NoAuth' } : { type: 'BearerTokenHeaderAuth', tokenProvider: provider },
      {
        env,
        ...(context.pkce !== undefined && { pkce: context.pkce }),
      },
    ),
    isRoot: root === 'true' || root === '1',
    ...(context.fetch !== undefined && { fetch: context.fetch }),
    ...(context.logger !== undefined && { logger: context.logger }),
  });
}

const webSocketGrant = (url: string, auth: Record<string, unknown>) => ({
  type: WEBSOCKET_CONNECTION_GRANT,
  purpose: NODE_ATTACH_PURPOSE,
  url,
  auth,
  ttl: 0,
  durable: false,
});

const withProvider = (type: string, provider: Record<string, unknown> | undefined) =>
  provider === undefined ? { type: 'NoAuth' } : { type, tokenProvider: provider };

/**
 * The admission profiles of admission-and-http §1.1 with the reference's variables:
 *
 * | profile | client | variables |
 * | --- | --- | --- |
 * | `welcome` | welcome service, hello with `Authorization: Bearer` | `FAME_ADMISSION_SERVICE_URL`, `FAME_ROOT`, OAuth2 client (below) |
 * | `welcome-pkce` | as `welcome`, PKCE token (browser) | + `FAME_ADMISSION_AUTHORIZE_URL`, `_REDIRECT_URL`, … |
 * | `direct` | `WebSocketConnectionGrant`, token as WebSocket subprotocol | `FAME_DIRECT_ADMISSION_URL` (`ws(s)://`), OAuth2 client |
 * | `direct-pkce` | as `direct`, PKCE token (browser) | + PKCE variables |
 * | `direct-http` | `HttpConnectionGrant`, `Authorization: Bearer` | `FAME_DIRECT_ADMISSION_URL` (`http(s)://`), OAuth2 client |
 * | `open` | `WebSocketConnectionGrant`, `NoAuth` | `FAME_DIRECT_ADMISSION_URL` |
 * | `direct-inpage` | `InPageConnectionGrant`, no credentials (browser) | `FAME_DIRECT_INPAGE_CHANNEL` (default `naylence-fabric`) |
 * | `noop`, `none` | no parent | – |
 *
 * OAuth2 client: `FAME_ADMISSION_TOKEN_URL`, `FAME_ADMISSION_CLIENT_ID`,
 * `FAME_ADMISSION_CLIENT_SECRET` (all or none), `FAME_JWT_AUDIENCE` (optional here; the
 * reference requires it). Direct profiles apply the node identity policy.
 *
 * A profile only says which grant to dial; the program maps grant types to transports
 * (`AdmissionDialer`'s `dialers`): `@naylence/cli` maps WebSocket and HTTP grants, a browser
 * program maps `InPageConnectionGrant` with `dialerFromGrant` of `@naylence/transport-inpage`
 * (this package imports no transport, so the grant is written out here as data).
 */
export const BUILT_IN_ADMISSION_PROFILES: Readonly<Record<string, AdmissionProfileFactory>> = Object.freeze({
  welcome: (context) => welcome(context, clientCredentials(context, 'welcome')),
  'welcome-pkce': (context) => welcome(context, pkceProvider(context, 'welcome-pkce')),
  direct: (context) =>
    direct(
      context,
      webSocketGrant(
        directUrl(context.env, 'direct', ['ws', 'wss']),
        withProvider('WebSocketSubprotocolAuth', clientCredentials(context, 'direct')),
      ),
    ),
  'direct-pkce': (context) =>
    direct(
      context,
      webSocketGrant(directUrl(context.env, 'direct-pkce', ['ws', 'wss']), {
        type: 'WebSocketSubprotocolAuth',
        tokenProvider: pkceProvider(context, 'direct-pkce'),
      }),
    ),
  'direct-http': (context) =>
    direct(context, {
      type: HTTP_CONNECTION_GRANT,
      purpose: NODE_ATTACH_PURPOSE,
      url: directUrl(context.env, 'direct-http', ['http', 'https']),
      auth: withProvider('BearerTokenHeaderAuth', clientCredentials(context, 'direct-http')),
      ttl: 0,
      durable: false,
    }),
  open: (context) => direct(context, webSocketGrant(directUrl(context.env, 'open', ['ws', 'wss']), { type: 'NoAuth' })),
  'direct-inpage': (context) =>
    direct(context, {
      type: INPAGE_CONNECTION_GRANT,
      purpose: NODE_ATTACH_PURPOSE,
      channelName: read(context.env, ADMISSION_ENV.inPageChannel) ?? DEFAULT_INPAGE_CHANNEL,
      ttl: 0,
      durable: false,
    }),
  noop: () => noopAdmissionClient(),
  none: () => noopAdmissionClient(),
});

/**
 * The canonical name of an admission profile: trimmed, lower case, `_` and spaces as `-`
 * (`welcome_pkce` → `welcome-pkce`, `direct_inpage` → `direct-inpage`).
 */
export function canonicalAdmissionProfile(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** A registry of admission profiles seeded with {@link BUILT_IN_ADMISSION_PROFILES}. */
export function createAdmissionProfileRegistry(): Registry<AdmissionProfileFactory> {
  const registry = new Registry<AdmissionProfileFactory>('admission profile');
  for (const [name, factory] of Object.entries(BUILT_IN_ADMISSION_PROFILES)) registry.register(name, factory);
  return registry;
}

/**
 * The process-wide admission profiles. A program or plug-in adds its own here
 * (`defaultAdmissionProfiles.register('my-profile', factory)`); registering a taken name fails
 * unless `{ replace: true }`.
 */
export const defaultAdmissionProfiles: Registry<AdmissionProfileFactory> = createAdmissionProfileRegistry();

/**
 * The admission client a profile name selects, built from `context`.
 * @throws ConfigError (`setting` FAME_ADMISSION_PROFILE) for an unknown profile; the
 *   profile's ConfigError (naming the variable) for a missing or invalid setting
 */
export function admissionClientForProfile(
  name: string,
  context: AdmissionProfileContext,
  registry: Registry<AdmissionProfileFactory> = defaultAdmissionProfiles,
): AdmissionClient {
  const profile = canonicalAdmissionProfile(name);
  const factory = registry.find(profile);
  if (factory === undefined) {
    throw new ConfigError(`${ADMISSION_ENV.profile}=${name}: unknown admission profile (known: ${registry.names().join(', ')})`, {
      setting: ADMISSION_ENV.profile,
    });
  }
  return factory(context);
}
