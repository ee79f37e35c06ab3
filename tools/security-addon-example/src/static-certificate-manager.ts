/**
 * A `CertificateManager` with a chain issued beforehand (PEM text or file, leaf first): what a
 * deployment without the reference's CA service uses. The node publishes the chain as its
 * signing JWK's `x5c` (`NodeKeys.setCertificateChain`).
 */
import type { CertificateManager } from '@naylence/security';
import { loadCertificates } from './certificates.js';

export const ENV_NODE_CERT_CHAIN = 'FAME_NODE_CERT_CHAIN';

export class StaticCertificateManager implements CertificateManager {
  readonly #chain: readonly string[];

  /** @param chain PEM text, or the name of a PEM file; `setting` names it in errors */
  constructor(chain: string | undefined, setting = ENV_NODE_CERT_CHAIN) {
    this.#chain = loadCertificates(chain, setting).map((certificate) => certificate.raw.toString('base64'));
  }

  certificateChain(): readonly string[] {
    return this.#chain;
  }
}
