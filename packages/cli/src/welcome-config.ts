/**
 * The `welcome:` section of a reference `FAME_CONFIG` (admission-and-http §8.5), read into the
 * parts of our welcome server. Accepted (either casing): `type` (`DefaultWelcomeService`),
 * `placement` (`StaticNodePlacementStrategy{target_system_id, target_physical_path}`),
 * `transport` (`WebSocketTransportProvisioner{url}`; ours also `HttpTransportProvisioner{url}`, and
 * a `transports` list), `token_issuer` (`JWTTokenIssuer{issuer, kid, algorithm, ttl_sec,
 * private_key_pem, audience}`), `authorizer`, `ttl_sec`. The top-level `plugins` key of the
 * reference's config is accepted and ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  httpProvisioner,
  staticPlacement,
  webSocketProvisioner,
  type NodePlacementStrategy,
  type TransportProvisioner,
} from '@naylence/admission';
import { canonicalAuthorizationProfile, ConfigError, type Authorizer, type Logger } from '@naylence/core';
import {
  authorizationProfiles,
  evaluateEnvExpressions,
  noopAuthorizer,
  oauth2Authorizer,
  parseJwtAlgorithm,
  sharedSecretAuthorizer,
  type AsymmetricJwtAlgorithm,
  type AuthorizationProfileName,
} from '@naylence/security';
import type { Env } from './options.js';

type Config = Readonly<Record<string, unknown>>;

/** Token issuer settings from `token_issuer`. */
export interface WelcomeIssuerConfig {
  /** `iss`; absent = the server's own `{base URL}/fame/welcome` (ours; the reference requires it). */
  readonly issuer?: string;
  readonly kid?: string;
  readonly algorithm: AsymmetricJwtAlgorithm;
  readonly ttlSec?: number;
  readonly privateKeyPem?: string;
}

/** Everything of a welcome server but its keys and address. */
export interface WelcomeConfig {
  readonly placement: NodePlacementStrategy;
  readonly transports: readonly TransportProvisioner[];
  readonly issuer: WelcomeIssuerConfig;
  /** Absent = anyone may ask for admission (the reference's default too). */
  readonly authorizer?: Authorizer;
  /** A short description of the authorizer, for the banner. */
  readonly authorizerName: string;
  readonly ttlSec?: number;
  readonly identity?: 'default' | 'token-subject';
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function member(config: Config, name: string): unknown {
  return config[name] ?? config[snake(name)];
}
function object(config: Config, name: string, what: string): Config | undefined {
  const value = member(config, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${what}.${name} must be an object`);
  return value as Config;
}
function string(config: Config, name: string, what: string): string | undefined {
  const value = member(config, name);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${what}.${name} must be a string`);
  return value;
}
function number(config: Config, name: string, what: string): number | undefined {
  const value = member(config, name);
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new ConfigError(`${what}.${name} must be a positive number`);
  return n;
}

/**
 * The `FAME_CONFIG` document: a path to a YAML/JSON file, or inline YAML/JSON, with the
 * reference's `${env:VAR:default}` expressions evaluated against `env`.
 * @throws ConfigError when it cannot be read or parsed
 */
export function loadFameConfig(source: string, env: Env): Config {
  const trimmed = source.trim();
  let text = trimmed;
  const looksInline = trimmed.startsWith('{') || trimmed.includes('\n');
  if (!looksInline && existsSync(trimmed)) {
    try {
      text = readFileSync(trimmed, 'utf8');
    } catch (error) {
      throw new ConfigError(`FAME_CONFIG: cannot read ${trimmed}: ${(error as Error).message}`, { setting: 'FAME_CONFIG' });
    }
  } else if (!looksInline && /\.(ya?ml|json)$/i.test(trimmed)) {
    throw new ConfigError(`FAME_CONFIG: no such file ${trimmed}`, { setting: 'FAME_CONFIG' });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw new ConfigError(`FAME_CONFIG is not valid YAML or JSON: ${(error as Error).message}`, { setting: 'FAME_CONFIG' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('FAME_CONFIG must be a YAML/JSON object', { setting: 'FAME_CONFIG' });
  }
  return evaluateEnvExpressions(parsed as Config, env);
}

function placementOf(config: Config | undefined): NodePlacementStrategy {
  const what = 'welcome.placement';
  if (config === undefined)
    throw new ConfigError(`${what} is required (StaticNodePlacementStrategy with target_system_id and target_physical_path)`);
  const type = string(config, 'type', what) ?? 'StaticNodePlacementStrategy';
  if (type !== 'StaticNodePlacementStrategy') throw new ConfigError(`${what}: unsupported type ${type}`);
  return staticPlacement({
    targetSystemId: string(config, 'targetSystemId', what) ?? '',
    targetPhysicalPath: string(config, 'targetPhysicalPath', what) ?? '',
  });
}

function transportOf(config: Config, what: string): TransportProvisioner {
  const type = string(config, 'type', what) ?? 'WebSocketTransportProvisioner';
  const url = string(config, 'url', what);
  if (url === undefined) throw new ConfigError(`${what}.url is required`);
  if (type === 'WebSocketTransportProvisioner') return webSocketProvisioner({ url });
  if (type === 'HttpTransportProvisioner') return httpProvisioner({ url });
  throw new ConfigError(`${what}: unsupported type ${type} (WebSocketTransportProvisioner, HttpTransportProvisioner)`);
}

function transportsOf(welcome: Config): TransportProvisioner[] {
  const list = member(welcome, 'transports');
  if (Array.isArray(list)) return list.map((t, i) => transportOf(t as Config, `welcome.transports[${i}]`));
  const single = object(welcome, 'transport', 'welcome') ?? object(welcome, 'transportProvisioner', 'welcome');
  if (single === undefined) throw new ConfigError('welcome.transport is required (WebSocketTransportProvisioner with url)');
  return [transportOf(single, 'welcome.transport')];
}

function issuerOf(config: Config | undefined): WelcomeIssuerConfig {
  const what = 'welcome.token_issuer';
  const source = config ?? {};
  const type = string(source, 'type', what) ?? 'JWTTokenIssuer';
  if (type !== 'JWTTokenIssuer') throw new ConfigError(`${what}: unsupported type ${type}`);
  const algorithm = parseJwtAlgorithm(string(source, 'algorithm', what) ?? 'EdDSA', `${what}.algorithm`);
  if (algorithm.startsWith('HS'))
    throw new ConfigError(`${what}: sentinels verify attach tokens with the published keys; use EdDSA, RS* or ES*, not ${algorithm}`);
  const issuer = string(source, 'issuer', what);
  const kid = string(source, 'kid', what);
  const ttlSec = number(source, 'ttlSec', what);
  const privateKeyPem = string(source, 'privateKeyPem', what);
  return {
    algorithm: algorithm as AsymmetricJwtAlgorithm,
    ...(issuer !== undefined && { issuer }),
    ...(kid !== undefined && { kid }),
    ...(ttlSec !== undefined && { ttlSec }),
    ...(privateKeyPem !== undefined && { privateKeyPem }),
  };
}

function authorizerOf(config: Config | undefined, env: Env, logger: Logger | undefined): { authorizer?: Authorizer; name: string } {
  const what = 'welcome.authorizer';
  if (config === undefined) return { name: 'none: anyone may be admitted' };
  const type = string(config, 'type', what);
  switch (type) {
    case 'NoopAuthorizer':
      return { authorizer: noopAuthorizer(), name: 'noop' };
    case 'SharedSecretAuthorizer': {
      const secret = string(config, 'secret', what);
      if (secret === undefined) throw new ConfigError(`${what}: SharedSecretAuthorizer needs a secret`);
      return { authorizer: sharedSecretAuthorizer({ secret }), name: 'shared secret' };
    }
    case 'OAuth2Authorizer': {
      const issuer = string(config, 'issuer', what);
      const audience = string(config, 'audience', what);
      if (issuer === undefined || audience === undefined) throw new ConfigError(`${what}: OAuth2Authorizer needs issuer and audience`);
      const jwksUrl = string(config, 'jwksUrl', what);
      const algorithm = string(config, 'algorithm', what);
      const scopes = member(config, 'requiredScopes');
      return {
        authorizer: oauth2Authorizer({
          issuer,
          audience,
          ...(jwksUrl !== undefined && { jwksUrl }),
          ...(algorithm !== undefined && { algorithms: [parseJwtAlgorithm(algorithm, `${what}.algorithm`) as AsymmetricJwtAlgorithm] }),
          ...(Array.isArray(scopes) && { requiredScopes: scopes.map(String) }),
          ...(logger !== undefined && { logger }),
        }),
        name: `oauth2 (issuer ${issuer})`,
      };
    }
    case 'AuthorizationProfile': {
      const profile = canonicalAuthorizationProfile(string(config, 'profile', what)) as AuthorizationProfileName;
      const factory = authorizationProfiles[profile];
      if (factory === undefined) throw new ConfigError(`${what}: unknown authorization profile ${profile}`);
      return { authorizer: factory({ env, ...(logger !== undefined && { logger }) }), name: `profile ${profile}` };
    }
    default:
      throw new ConfigError(
        `${what}: unsupported type ${JSON.stringify(type)} (SharedSecretAuthorizer, OAuth2Authorizer, AuthorizationProfile, NoopAuthorizer)`,
      );
  }
}

/**
 * The welcome server settings of a `FAME_CONFIG` document.
 * @throws ConfigError for a missing `welcome` section or an unsupported or invalid setting, naming it
 */
export function welcomeConfigFrom(document: Config, env: Env, logger?: Logger): WelcomeConfig {
  const welcome = object(document, 'welcome', 'FAME_CONFIG');
  if (welcome === undefined) throw new ConfigError('FAME_CONFIG has no welcome section', { setting: 'FAME_CONFIG' });
  const type = string(welcome, 'type', 'welcome') ?? 'DefaultWelcomeService';
  if (type !== 'DefaultWelcomeService') throw new ConfigError(`welcome.type ${type} is not supported (DefaultWelcomeService)`);
  const { authorizer, name } = authorizerOf(object(welcome, 'authorizer', 'welcome'), env, logger);
  const ttlSec = number(welcome, 'ttlSec', 'welcome');
  const identity = string(welcome, 'identity', 'welcome');
  if (identity !== undefined && identity !== 'default' && identity !== 'token-subject')
    throw new ConfigError(`welcome.identity must be default or token-subject, got ${identity}`);
  return {
    placement: placementOf(object(welcome, 'placement', 'welcome')),
    transports: transportsOf(welcome),
    issuer: issuerOf(object(welcome, 'tokenIssuer', 'welcome')),
    ...(authorizer !== undefined && { authorizer }),
    authorizerName: name,
    ...(ttlSec !== undefined && { ttlSec }),
    ...(identity !== undefined && { identity }),
  };
}
