import { ConfigError, type TokenProvider } from '@naylence/core';
import {
  configObject,
  configString,
  configStrings,
  configValue,
  processEnv,
  resolveSecret,
  type ConfigObject,
  type Environment,
} from '../config-values.js';
import { staticTokenProvider } from '../static-token-provider.js';
import { oauth2ClientCredentialsTokenProvider } from './client-credentials.js';
import { oauth2PkceTokenProvider, type OAuth2PkceOptions } from './pkce.js';

export interface TokenProviderConfigOptions {
  /** Where `env://VAR` and `EnvCredentialProvider` secrets are read. Default `process.env`. */
  readonly env?: Environment;
  /** Browser hooks for `OAuth2PkceTokenProvider` (tests pass `authorize`). */
  readonly pkce?: Pick<OAuth2PkceOptions, 'authorize' | 'storage' | 'navigate'>;
}

/**
 * A token provider from its reference config (`tokenProvider` / `token_provider` of an auth
 * strategy, admission-and-http §5.1), options in either casing: `StaticTokenProvider{token,
 * expiresAt}`, `SharedSecretTokenProvider{credentialProvider | secret}`,
 * `OAuth2ClientCredentialsTokenProvider{tokenUrl, clientId, clientSecret, scopes, audience}`,
 * `OAuth2PkceTokenProvider{authorizeUrl, tokenUrl, clientId, redirectUri, …}`. `NoneTokenProvider`
 * (or no config) gives undefined: present no token.
 * @throws ConfigError for an unknown type or a missing setting, naming it
 */
export function tokenProviderFromConfig(
  config: ConfigObject | undefined,
  options: TokenProviderConfigOptions = {},
): TokenProvider | undefined {
  if (config === undefined) return undefined;
  const env = options.env ?? processEnv();
  const type = config.type;
  const what = `token provider ${JSON.stringify(type)}`;
  switch (type) {
    case 'NoneTokenProvider':
      return undefined;
    case 'StaticTokenProvider': {
      const token = configString(config, 'token', what);
      if (token === undefined) throw new ConfigError(`${what}: token is required`);
      const expiresAt = configValue(config, 'expiresAt');
      return staticTokenProvider(token, expiresAt as Date | number | string | undefined);
    }
    case 'SharedSecretTokenProvider': {
      const source = configValue(config, 'credentialProvider') ?? configValue(config, 'secret');
      return staticTokenProvider(resolveSecret(source, env, what));
    }
    case 'OAuth2ClientCredentialsTokenProvider': {
      const audience = configString(config, 'audience', what);
      const scopes = configStrings(config, 'scopes', what);
      return oauth2ClientCredentialsTokenProvider({
        tokenUrl: required(configString(config, 'tokenUrl', what), what, 'tokenUrl'),
        clientId: resolveSecret(configValue(config, 'clientId'), env, `${what} clientId`),
        clientSecret: resolveSecret(configValue(config, 'clientSecret'), env, `${what} clientSecret`),
        ...(scopes !== undefined && { scopes }),
        ...(audience !== undefined && { audience }),
      });
    }
    case 'OAuth2PkceTokenProvider': {
      const method = configString(config, 'codeChallengeMethod', what);
      if (method !== undefined && method !== 'S256' && method !== 'plain')
        throw new ConfigError(`${what}: codeChallengeMethod must be S256 or plain`);
      const length = configValue(config, 'codeVerifierLength');
      const scopes = configStrings(config, 'scopes', what);
      const audience = configString(config, 'audience', what);
      const loginHintParam = configString(config, 'loginHintParam', what);
      return oauth2PkceTokenProvider({
        authorizeUrl: required(configString(config, 'authorizeUrl', what), what, 'authorizeUrl'),
        tokenUrl: required(configString(config, 'tokenUrl', what), what, 'tokenUrl'),
        clientId: required(configString(config, 'clientId', what), what, 'clientId'),
        redirectUri: required(configString(config, 'redirectUri', what) ?? configString(config, 'redirectUrl', what), what, 'redirectUri'),
        ...(method !== undefined && { challengeMethod: method }),
        ...(length !== undefined && { codeVerifierLength: Number(length) }),
        ...(scopes !== undefined && { scopes }),
        ...(audience !== undefined && { audience }),
        ...(loginHintParam !== undefined && { loginHintParam }),
        ...options.pkce,
      });
    }
    default:
      throw new ConfigError(`unknown token provider type ${JSON.stringify(type)}`);
  }
}

/** The `tokenProvider` / `token_provider` member of an auth strategy config. */
export function tokenProviderConfigOf(config: ConfigObject, what: string): ConfigObject | undefined {
  return configObject(config, 'tokenProvider', what);
}

function required(value: string | undefined, what: string, name: string): string {
  if (value === undefined) throw new ConfigError(`${what}: ${name} is required`);
  return value;
}
