/**
 * The add-on's `KeyValidator` (protocol-security §6, §7): signing keys must carry a certificate
 * chain (`x5c`) for the key itself, rooted in the trust store; with `require_cert_sid_match`
 * the certificate's node sid must be the sid of every envelope the key verifies. Used twice:
 * by the `KeyStore` before a received key is stored (attach, KeyAnnounce), and by the
 * `EnvelopeVerifier` for each envelope (validity is re-checked once the cached result expires).
 */
import type { X509Certificate } from 'node:crypto';
import type { FameEnvelope } from '@naylence/core';
import { SignatureInvalidError, type KeyRecord, type KeyValidation, type KeyValidator } from '@naylence/security';
import { certificateSid, certificatesOfX5c, checkCertificateChain } from './certificates.js';

export interface X509KeyValidatorOptions {
  /** Trusted roots (and intermediates), e.g. `loadCertificates(process.env.FAME_CA_CERTS, 'FAME_CA_CERTS')`. */
  readonly trustAnchors: readonly X509Certificate[];
  /** `require_cert_sid_match`: the certificate's sid must be the envelope's. Default true. */
  readonly requireCertSidMatch?: boolean;
  /** `validate_cert_name_constraints`. Default true. */
  readonly enforceNameConstraints?: boolean;
  /** Refuse signing keys without `x5c` (x509-chain signing material). Default true. */
  readonly requireCertificate?: boolean;
  /** The clock certificates are checked against. */
  readonly now?: () => Date;
}

interface Checked {
  readonly sid: string | undefined;
  readonly notAfter: Date;
}

export class X509KeyValidator implements KeyValidator {
  readonly #options: X509KeyValidatorOptions;
  readonly #now: () => Date;
  readonly #checked = new WeakMap<KeyRecord, Checked>();

  constructor(options: X509KeyValidatorOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  validateKey(jwk: Readonly<Record<string, unknown>>): KeyValidation {
    if (jwk.use === 'enc') return { ok: true }; // X25519 keys carry no certificate
    if (jwk.x5c === undefined) {
      return this.#options.requireCertificate === false
        ? { ok: true }
        : { ok: false, reason: 'signing key without a certificate chain (x5c)' };
    }
    try {
      this.#check(jwk);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `certificate chain refused: ${(error as Error).message}` };
    }
  }

  /** @throws SignatureInvalidError (`certificate_invalid`) */
  checkSigningKey(record: KeyRecord, envelope: FameEnvelope): void {
    let checked = this.#checked.get(record);
    if (!checked || checked.notAfter < this.#now()) {
      try {
        checked = this.#check(record);
      } catch (error) {
        throw new SignatureInvalidError('certificate_invalid', `key ${record.kid}: ${(error as Error).message}`, record.kid);
      }
      this.#checked.set(record, checked);
    }
    if (this.#options.requireCertSidMatch !== false && checked.sid !== envelope.sid) {
      throw new SignatureInvalidError(
        'certificate_invalid',
        `key ${record.kid}: certificate sid ${JSON.stringify(checked.sid ?? null)} is not the envelope's sid ${JSON.stringify(envelope.sid ?? null)}`,
        record.kid,
      );
    }
  }

  #check(jwk: Readonly<Record<string, unknown>>): Checked {
    const { leaf, notAfter } = checkCertificateChain(certificatesOfX5c(jwk.x5c), {
      trustAnchors: this.#options.trustAnchors,
      now: this.#now(),
      ...(this.#options.enforceNameConstraints !== undefined && { enforceNameConstraints: this.#options.enforceNameConstraints }),
    });
    const x = leaf.publicKey.export({ format: 'jwk' }).x;
    if (x !== jwk.x) throw new Error('the leaf certificate is for another key than the JWK');
    const sid = certificateSid(leaf);
    if (this.#options.requireCertSidMatch !== false && sid === undefined) {
      throw new Error('the leaf certificate names no node sid (URI SAN spiffe://<domain>/nodes/<sid>)');
    }
    return { sid, notAfter };
  }
}
