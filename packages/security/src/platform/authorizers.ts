// The authorization profiles a new profile registry starts with: on Node every built-in one
// (`jwt`, `oauth2`, `oauth2-gated`, `oauth2-callback`, `policy-localfile`, `noop`). The browser
// bundle is built with this module redirected to `./browser/authorizers.js`, which keeps
// `jose` and `node:fs` out of it (tools/scripts/bundle.mjs, `naylence.browser` in package.json).
export { authorizationProfiles as builtInAuthorizerProfiles } from '../authorization/profiles.js';
