/**
 * An example security add-on for `@naylence/security`, written the way a third party would:
 * only public exports of `@naylence/security` and `@naylence/core`, plus `node:crypto`'s
 * `X509Certificate`. It registers the `strict-overlay` profile (X.509 chains in signing keys,
 * certificate sid checks, channel encryption by default). See
 * `docs/guides/write-a-security-add-on.md`.
 *
 * @packageDocumentation
 */
export { securityAddonPlugin, PLUGIN_NAME } from './plugin.js';
export { STRICT_OVERLAY, STRICT_OVERLAY_PROFILE } from './strict-overlay-profile.js';
export { ENCRYPTED_OVERLAY, ENCRYPTED_OVERLAY_PROFILE, STRICT_ENCRYPTION } from './encrypted-overlay-profile.js';
export { X509KeyValidator, type X509KeyValidatorOptions } from './x509-key-validator.js';
export { StaticCertificateManager, ENV_NODE_CERT_CHAIN } from './static-certificate-manager.js';
export {
  ENV_CA_CERTS,
  loadCertificates,
  parsePemCertificates,
  certificatesOfX5c,
  certificateSid,
  checkCertificateChain,
  uriSans,
  type ChainCheckOptions,
} from './certificates.js';
export { uriNameConstraints, type UriNameConstraints } from './name-constraints.js';
