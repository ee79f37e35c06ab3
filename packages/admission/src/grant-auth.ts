import { authInjectionFromConfig, type AuthInjection, type TokenProviderConfigOptions } from '@naylence/security';
import type { ConnectionGrant } from './grants.js';

/**
 * Resolves grants' `auth` configs to credential strategies, once per grant (so a token
 * provider, and its token cache, is shared by every dial that uses the grant).
 *
 * `options.env` is where `env://VAR` secrets of token providers are read. Grants that come from
 * a welcome service are resolved with an empty environment: a remote service must not make a
 * node read its environment and send the value to a URL the service chose.
 */
export function grantAuthResolver(options: TokenProviderConfigOptions = {}): (grant: ConnectionGrant) => AuthInjection {
  const cache = new WeakMap<ConnectionGrant, AuthInjection>();
  return (grant) => {
    let auth = cache.get(grant);
    if (auth === undefined) {
      auth = authInjectionFromConfig(grant.auth, options);
      cache.set(grant, auth);
    }
    return auth;
  };
}
