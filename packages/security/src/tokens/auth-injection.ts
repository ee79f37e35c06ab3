import { ConfigError, type TokenProvider } from '@naylence/core';
import { configString, type ConfigObject } from '../config-values.js';
import { tokenProviderConfigOf, tokenProviderFromConfig, type TokenProviderConfigOptions } from './token-provider-config.js';

/** How a connector presents its credentials (admission-and-http §4, a grant's `auth`). */
export type AuthInjection =
  | { readonly type: 'NoAuth' }
  | { readonly type: 'BearerTokenHeaderAuth'; readonly tokenProvider: TokenProvider; readonly headerName: string }
  | { readonly type: 'QueryParamAuth'; readonly tokenProvider: TokenProvider; readonly paramName: string }
  | { readonly type: 'WebSocketSubprotocolAuth'; readonly tokenProvider: TokenProvider; readonly subprotocolPrefix: string };

export const NO_AUTH: AuthInjection = Object.freeze({ type: 'NoAuth' });

/** `<headerName>: Bearer <token>`; header default `Authorization`. */
export function bearerTokenHeaderAuth(tokenProvider: TokenProvider, headerName = 'Authorization'): AuthInjection {
  return Object.freeze({ type: 'BearerTokenHeaderAuth', tokenProvider, headerName });
}

/** `?<paramName>=<token>` on the URL; param default `token`. */
export function queryParamAuth(tokenProvider: TokenProvider, paramName = 'token'): AuthInjection {
  return Object.freeze({ type: 'QueryParamAuth', tokenProvider, paramName });
}

/** WebSocket subprotocols `[<prefix>, <token>]`; prefix default `bearer`. */
export function webSocketSubprotocolAuth(tokenProvider: TokenProvider, subprotocolPrefix = 'bearer'): AuthInjection {
  return Object.freeze({ type: 'WebSocketSubprotocolAuth', tokenProvider, subprotocolPrefix });
}

const TYPE_ALIASES: Readonly<Record<string, AuthInjection['type']>> = {
  NoAuth: 'NoAuth',
  NoAuthInjectionStrategy: 'NoAuth',
  BearerTokenHeaderAuth: 'BearerTokenHeaderAuth',
  BearerTokenHeaderAuthInjectionStrategy: 'BearerTokenHeaderAuth',
  BearerTokenHeaderAuthStrategy: 'BearerTokenHeaderAuth',
  QueryParamAuth: 'QueryParamAuth',
  QueryParamAuthInjectionStrategy: 'QueryParamAuth',
  QueryParamAuthStrategy: 'QueryParamAuth',
  WebSocketSubprotocolAuth: 'WebSocketSubprotocolAuth',
  WebSocketSubprotocolAuthInjectionStrategy: 'WebSocketSubprotocolAuth',
  WebSocketSubprotocolAuthStrategy: 'WebSocketSubprotocolAuth',
};

/**
 * An auth strategy from a grant's `auth` config, as the reference writes it: the `type` or one
 * of its aliases (`…InjectionStrategy`, `…Strategy`), options and the nested token provider in
 * camelCase or snake_case (`tokenProvider`/`token_provider`, `headerName`/`header_name`,
 * `paramName`/`param_name`, `subprotocolPrefix`/`subprotocol_prefix`).
 * @throws ConfigError for an unknown type, or a strategy that needs a token provider but has none
 *
 * @example
 * ```ts
 * import { authInjectionFromConfig, webSocketDialerAuth } from '@naylence/security';
 *
 * const auth = authInjectionFromConfig({
 *   type: 'WebSocketSubprotocolAuth',
 *   token_provider: { type: 'StaticTokenProvider', token: 'abc' },
 * });
 * const dialer = new WebSocketDialer({ url, ...webSocketDialerAuth(auth) });
 * ```
 */
export function authInjectionFromConfig(config: ConfigObject | undefined, options: TokenProviderConfigOptions = {}): AuthInjection {
  if (config === undefined) return NO_AUTH;
  const type = typeof config.type === 'string' ? TYPE_ALIASES[config.type] : undefined;
  if (type === undefined) throw new ConfigError(`unknown auth strategy type ${JSON.stringify(config.type)}`);
  if (type === 'NoAuth') return NO_AUTH;
  const what = `auth strategy ${type}`;
  const tokenProvider = tokenProviderFromConfig(tokenProviderConfigOf(config, what), options);
  if (tokenProvider === undefined) throw new ConfigError(`${what}: a tokenProvider is required`);
  switch (type) {
    case 'BearerTokenHeaderAuth':
      return bearerTokenHeaderAuth(tokenProvider, configString(config, 'headerName', what));
    case 'QueryParamAuth':
      return queryParamAuth(tokenProvider, configString(config, 'paramName', what));
    case 'WebSocketSubprotocolAuth':
      return webSocketSubprotocolAuth(tokenProvider, configString(config, 'subprotocolPrefix', what));
  }
}

/** What a connection attempt carries; {@link applyAuthInjection} adds the credentials. */
export interface ConnectionCredentials {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** WebSocket subprotocols to offer. */
  readonly protocols: readonly string[];
}

/**
 * Adds the strategy's credentials to one connection attempt, fetching the token now: call it
 * per connection (and per reconnect), so a refreshed token is used every time.
 */
export async function applyAuthInjection(
  auth: AuthInjection,
  request: ConnectionCredentials,
  signal?: AbortSignal,
): Promise<ConnectionCredentials> {
  if (auth.type === 'NoAuth') return request;
  const token = (await auth.tokenProvider.getToken(signal)).value;
  switch (auth.type) {
    case 'BearerTokenHeaderAuth':
      return { ...request, headers: { ...request.headers, [auth.headerName]: `Bearer ${token}` } };
    case 'QueryParamAuth': {
      const url = new URL(request.url);
      url.searchParams.set(auth.paramName, token);
      return { ...request, url: url.href };
    }
    case 'WebSocketSubprotocolAuth':
      return { ...request, protocols: [...request.protocols, auth.subprotocolPrefix, token] };
  }
}

/**
 * The `WebSocketDialer` options (`@naylence/transport-ws`) that apply `auth`: the dialer calls
 * the token provider on every dial, so reconnects present a fresh token. Spread the result into
 * the dialer's options.
 * @throws ConfigError for a header name other than `Authorization` or a subprotocol prefix other
 *   than `bearer`: the dialer cannot send them, and no listener would read them
 */
export function webSocketDialerAuth(auth: AuthInjection): {
  readonly tokenProvider?: TokenProvider;
  readonly authMode?: 'subprotocol' | 'header' | 'query';
  readonly queryParam?: string;
} {
  switch (auth.type) {
    case 'NoAuth':
      return {};
    case 'BearerTokenHeaderAuth':
      if (auth.headerName.toLowerCase() !== 'authorization') {
        throw new ConfigError(
          `BearerTokenHeaderAuth: the WebSocket dialer sends only the Authorization header, not ${JSON.stringify(auth.headerName)}`,
        );
      }
      return { tokenProvider: auth.tokenProvider, authMode: 'header' };
    case 'QueryParamAuth':
      return { tokenProvider: auth.tokenProvider, authMode: 'query', queryParam: auth.paramName };
    case 'WebSocketSubprotocolAuth':
      if (auth.subprotocolPrefix.toLowerCase() !== 'bearer') {
        throw new ConfigError(
          `WebSocketSubprotocolAuth: the WebSocket dialer offers only the "bearer" prefix, not ${JSON.stringify(auth.subprotocolPrefix)}`,
        );
      }
      return { tokenProvider: auth.tokenProvider, authMode: 'subprotocol' };
  }
}
