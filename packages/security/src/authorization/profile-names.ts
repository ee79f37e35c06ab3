/**
 * What an authorization profile is, independent of the authorizers that implement it: the
 * factory type the profile registry holds. Names are canonicalized by core's
 * `canonicalAuthorizationProfile` (admission-and-http §6.1), the table `resolveProfiles` uses too.
 * Free of `jose` and Node built-ins, so the browser entry can name profiles without building them.
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
