/**
 * The authorization profiles a new profile registry starts with in browsers: `noop` only. A
 * browser node dials out and accepts no links, so it needs no authorizer; the JWT-based
 * profiles (`jose`) stay in the Node entry. Asking a browser node to build one fails closed:
 * the registry reports the profile as not registered.
 */
import type { AuthorizerFactory } from '../../authorization/profile-names.js';
import { noopAuthorizer } from '../../authorization/noop-authorizer.js';

export const builtInAuthorizerProfiles: Readonly<Record<string, AuthorizerFactory>> = Object.freeze({ noop: () => noopAuthorizer() });
