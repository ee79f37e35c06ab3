/**
 * How a node reaches its parent, chosen the reference's way by `FAME_ADMISSION_PROFILE`
 * (admission-and-http §1.1): one small table of admission profiles, name → factory. A factory
 * turns the environment into the upstream the fabric dials (a dialer with its credentials), and
 * says what it enforces, so `createFabric`'s fail-closed check accepts exactly that.
 *
 * | profile          | parent                         | credentials                                                                                                  |
 * | ---------------- | ------------------------------ | ------------------------------------------------------------------------------------------------------------ |
 * | `direct`         | `FAME_DIRECT_ADMISSION_URL`    | OAuth2 client credentials (`FAME_ADMISSION_TOKEN_URL`, `…_CLIENT_ID`, `…_CLIENT_SECRET`, `FAME_JWT_AUDIENCE`) as WebSocket subprotocols, else a static token (`FAME_PARENT_TOKEN`, ours), else none |
 * | `open`           | `FAME_DIRECT_ADMISSION_URL`    | none                                                                                                         |
 * | `none`, `noop`   | none: the node is a root       | –                                                                                                            |
 *
 * Add a profile with {@link registerAdmissionProfile} (the welcome service and HTTP admission
 * plug in here); a name nobody registered is refused, naming `FAME_ADMISSION_PROFILE`.
 */
import { ConfigError, type Dialer, type EnforcedProfiles, type Environment, type Logger, type TokenProvider } from '@naylence/core';
import { admissionTokenProviderFromEnv, staticTokenProvider } from '@naylence/security';
import { WebSocketDialer } from '@naylence/transport-ws';

/** What an admission profile reads. */
export interface AdmissionRequest {
  readonly env: Environment;
  /** The parent's attach URL, overriding `FAME_DIRECT_ADMISSION_URL` (the `--parent` flag). */
  readonly url?: string;
  /** A static bearer token for the parent (`--parent-token`, `FAME_PARENT_TOKEN`), when no OAuth2 credentials are configured. */
  readonly token?: string;
  readonly logger?: Logger;
}

/** What an admission profile gives the node. */
export interface Admission {
  /** The profile's canonical name. */
  readonly profile: string;
  /** How to reach the parent; undefined: this node is a root. */
  readonly dialer: Dialer | undefined;
  /** The token provider the dialer presents, if any (for identity policies). */
  readonly tokenProvider: TokenProvider | undefined;
  /** What it enforces, for `createFabric`'s fail-closed check (`connect.enforces`). */
  readonly enforces: Partial<EnforcedProfiles>;
}

export type AdmissionProfileFactory = (request: AdmissionRequest) => Admission;

export const ENV_ADMISSION_PROFILE = 'FAME_ADMISSION_PROFILE';
export const ENV_DIRECT_ADMISSION_URL = 'FAME_DIRECT_ADMISSION_URL';
export const ENV_PARENT_TOKEN = 'FAME_PARENT_TOKEN';

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parentUrl(request: AdmissionRequest, profile: string): string {
  const url = request.url ?? read(request.env, ENV_DIRECT_ADMISSION_URL);
  if (url === undefined) {
    throw new ConfigError(`the ${profile} admission profile needs the parent's URL: set ${ENV_DIRECT_ADMISSION_URL}`, {
      setting: ENV_DIRECT_ADMISSION_URL,
    });
  }
  if (!/^wss?:\/\//i.test(url)) {
    throw new ConfigError(`${ENV_DIRECT_ADMISSION_URL} must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`, {
      setting: ENV_DIRECT_ADMISSION_URL,
    });
  }
  return url;
}

function webSocket(profile: string, url: string, tokenProvider: TokenProvider | undefined, request: AdmissionRequest): Admission {
  return {
    profile,
    dialer: new WebSocketDialer({
      url,
      ...(tokenProvider !== undefined && { tokenProvider }),
      ...(request.logger !== undefined && { logger: request.logger }),
    }),
    tokenProvider,
    enforces: { admission: [profile] },
  };
}

const root =
  (profile: string): AdmissionProfileFactory =>
  () => ({ profile, dialer: undefined, tokenProvider: undefined, enforces: { admission: [profile] } });

const profiles = new Map<string, AdmissionProfileFactory>([
  [
    'direct',
    (request) => {
      const oauth2 = admissionTokenProviderFromEnv(request.env, request.logger === undefined ? {} : { logger: request.logger });
      const token = request.token ?? read(request.env, ENV_PARENT_TOKEN);
      const tokenProvider = oauth2 ?? (token === undefined ? undefined : staticTokenProvider(token));
      return webSocket('direct', parentUrl(request, 'direct'), tokenProvider, request);
    },
  ],
  ['open', (request) => webSocket('open', parentUrl(request, 'open'), undefined, request)],
  ['none', root('none')],
  ['noop', root('noop')],
]);

/** The canonical form of an admission profile name (`Direct_HTTP` → `direct-http`). */
export function canonicalAdmissionProfile(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/**
 * Registers an admission profile (a plug-in, the welcome service, HTTP admission).
 * @throws ConfigError when the name is taken and `allowOverride` is not set
 */
export function registerAdmissionProfile(name: string, factory: AdmissionProfileFactory, options: { allowOverride?: boolean } = {}): void {
  const key = canonicalAdmissionProfile(name);
  if (profiles.has(key) && !options.allowOverride) throw new ConfigError(`admission profile ${JSON.stringify(key)} is already registered`);
  profiles.set(key, factory);
}

/** The registered admission profile names. */
export function admissionProfileNames(): string[] {
  return [...profiles.keys()];
}

/**
 * The admission `FAME_ADMISSION_PROFILE` (or `profile`) asks for. Unset, it is `direct` when a
 * parent URL is given (`request.url` or `FAME_DIRECT_ADMISSION_URL`) and `none` otherwise.
 * @throws ConfigError naming the setting: an unknown profile, a missing URL, incomplete OAuth2 credentials
 */
export function admissionFromEnv(request: AdmissionRequest, profile?: string): Admission {
  const asked = profile ?? read(request.env, ENV_ADMISSION_PROFILE);
  const name =
    asked !== undefined
      ? canonicalAdmissionProfile(asked)
      : (request.url ?? read(request.env, ENV_DIRECT_ADMISSION_URL)) !== undefined
        ? 'direct'
        : 'none';
  const factory = profiles.get(name);
  if (factory === undefined) {
    throw new ConfigError(
      `${ENV_ADMISSION_PROFILE}=${name}: this node cannot use the admission profile ${JSON.stringify(name)} ` +
        `(it knows: ${admissionProfileNames().join(', ')}); refusing to start rather than attach without it`,
      { setting: ENV_ADMISSION_PROFILE },
    );
  }
  return factory(request);
}
