/**
 * What an authorization profile is, independent of the authorizers that implement it: the
 * factory type the profile registry holds and the reference's name canonicalization
 * (admission-and-http §6.1). Free of `jose` and Node built-ins, so the browser entry can name
 * profiles without building them.
 */
import type { Authorizer, Logger } from '@naylence/core';
import type { Environment } from '../config-values.js';

/** What an authorization profile may read besides the environment. */
export interface AuthorizationProfileContext {
  /** Default `process.env`. */
  readonly env?: Environment;
  /**
   * The node's physical path (`/sentinel-a`): the audience the `jwt` profile expects (welcome
   * attach tokens are issued for it) and the fallback audience of `policy-localfile`.
   */
  readonly physicalPath?: string;
  /** Parser for YAML policy files (`policy-localfile`). */
  readonly parseYaml?: (text: string) => unknown;
  readonly logger?: Logger;
}

/**
 * Builds an authorizer from the environment. Throws a `ConfigError` naming the variable when a
 * required one is missing: a node asked to be gated refuses to start rather than run open.
 */
export type AuthorizerFactory = (context?: AuthorizationProfileContext) => Authorizer;

/** The authorization profiles this package builds (on Node; the browser entry has `noop` only). */
export type AuthorizationProfileName = 'noop' | 'jwt' | 'oauth2' | 'oauth2-gated' | 'oauth2-callback' | 'policy-localfile';

/** The profile a missing or empty name means, as in the reference. */
export const DEFAULT_AUTHORIZATION_PROFILE: AuthorizationProfileName = 'oauth2';

const ALIASES: Readonly<Record<string, AuthorizationProfileName>> = {
  'no-op': 'noop',
  jwks: 'jwt',
  default: 'jwt',
  oidc: 'oauth2',
  'reverse-auth': 'oauth2-callback',
  policy: 'policy-localfile',
};

/**
 * The canonical authorization profile name (admission-and-http §6.1): spaces and underscores
 * become `-`, lower case, then aliases (`jwks`/`default` → `jwt`, `oidc` → `oauth2`,
 * `reverse-auth` → `oauth2-callback`, `policy` → `policy-localfile`, `no-op` → `noop`);
 * missing or empty → `oauth2`. Any other name comes back normalized: whether a profile of that
 * name exists is the profile registry's answer.
 */
export function canonicalAuthorizationProfileName(name: string | undefined): string {
  if (name === undefined || name.trim() === '') return DEFAULT_AUTHORIZATION_PROFILE;
  const key = name
    .trim()
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
  return ALIASES[key] ?? key;
}
