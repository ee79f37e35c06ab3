// The HTTP client of token requests: undici's `fetch` on Node. The browser bundle (`browser`
// export condition) is built with this module redirected to `./browser/fetch.js`, the
// browser's own `fetch` (tools/scripts/bundle.mjs, `naylence.browser` in package.json).
export { fetch } from 'undici';
