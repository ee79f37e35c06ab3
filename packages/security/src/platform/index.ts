// The platform's crypto provider and module importer. The browser bundle (`browser` export
// condition) is built with this module's import redirected to `./browser/index.js`
// (tools/scripts/bundle.mjs).
export { defaultCryptoProvider, loadDefaultCryptoProvider } from './node/index.js';
export { importModule } from './node/import-module.js';
