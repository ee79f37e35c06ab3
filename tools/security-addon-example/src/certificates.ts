/**
 * X.509 certificate chains of signing keys (protocol-security §6), checked with `node:crypto`'s
 * `X509Certificate`: Ed25519 keys only, every certificate within its validity, each one issued
 * and signed by the next, intermediates marked CA, the chain ending at (or issued by) a trust
 * anchor from `FAME_CA_CERTS`, and the URI name constraints of every CA on the way respected.
 * A node's sid is in its leaf certificate as the URI SAN `spiffe://<trust domain>/nodes/<sid>`
 * (the form the advanced-security add-on issues).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@naylence/core';
import { uriNameConstraints } from './name-constraints.js';

export const ENV_CA_CERTS = 'FAME_CA_CERTS';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text. @throws Error for a block that is not a certificate */
export function parsePemCertificates(pem: string): X509Certificate[] {
  return [...pem.matchAll(PEM_BLOCK)].map((match) => new X509Certificate(match[0]));
}

/**
 * Certificates from a setting that holds PEM text or names a PEM file (as `FAME_CA_CERTS`
 * does). An empty or certificate-less setting is a `ConfigError` naming it.
 */
export function loadCertificates(value: string | undefined, setting: string): X509Certificate[] {
  const text = value?.trim() ?? '';
  if (text === '') throw new ConfigError(`${setting} is not set: strict-overlay needs it; refusing to start`);
  let pem = text;
  if (!text.includes('-----BEGIN')) {
    try {
      pem = readFileSync(text, 'utf8');
    } catch (error) {
      throw new ConfigError(`${setting} names ${JSON.stringify(text)}, which cannot be read`, { cause: error });
    }
  }
  let certificates: X509Certificate[];
  try {
    certificates = parsePemCertificates(pem);
  } catch (error) {
    throw new ConfigError(`${setting} holds a PEM block that is not a certificate`, { cause: error });
  }
  if (certificates.length === 0) throw new ConfigError(`${setting} holds no certificate`);
  return certificates;
}

/** The certificates of a JWK's `x5c` (standard base64 DER, leaf first). @throws Error */
export function certificatesOfX5c(x5c: unknown): X509Certificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.some((entry) => typeof entry !== 'string' || entry === '')) {
    throw new Error('x5c must be a non-empty list of base64 certificates');
  }
  return x5c.map((entry: string, index) => {
    try {
      return new X509Certificate(Buffer.from(entry, 'base64'));
    } catch {
      throw new Error(`x5c[${index}] is not a DER certificate`);
    }
  });
}

/** The URI subject alternative names of a certificate. */
export function uriSans(certificate: X509Certificate): string[] {
  const san = certificate.subjectAltName;
  if (!san) return [];
  return san
    .split(/, (?=[A-Za-z ]+:)/)
    .filter((name) => name.startsWith('URI:'))
    .map((name) => name.slice(4).replace(/^"(.*)"$/, '$1'));
}

const SID_URI = /^spiffe:\/\/[^/]+\/nodes\/([^/?#]+)$/;

/** The node sid a leaf certificate names (`spiffe://<domain>/nodes/<sid>`), if any. */
export function certificateSid(certificate: X509Certificate): string | undefined {
  for (const uri of uriSans(certificate)) {
    const match = SID_URI.exec(uri);
    if (match) return decodeURIComponent(match[1]!);
  }
  return undefined;
}

export interface ChainCheckOptions {
  readonly trustAnchors: readonly X509Certificate[];
  /** Check the URI name constraints of the CAs (`validate_cert_name_constraints`, default true). */
  readonly enforceNameConstraints?: boolean;
  readonly now?: Date;
}

function checkNameConstraints(ca: X509Certificate, leafUris: readonly string[]): void {
  let constraints;
  try {
    constraints = uriNameConstraints(new Uint8Array(ca.raw));
  } catch (error) {
    throw new Error(`name constraints of ${ca.subject} cannot be read: ${(error as Error).message}`);
  }
  if (!constraints) return;
  const permitted = constraints.permitted.filter((uri): uri is string => uri !== null);
  for (const uri of leafUris) {
    if (permitted.length > 0 && !permitted.some((prefix) => uri.startsWith(prefix))) {
      throw new Error(`URI ${uri} is outside the names ${ca.subject.replace(/\n/g, ', ')} may certify`);
    }
    if (constraints.excluded.some((prefix) => prefix !== null && uri.startsWith(prefix))) {
      throw new Error(`URI ${uri} is excluded by ${ca.subject.replace(/\n/g, ', ')}`);
    }
  }
}

/**
 * Checks a chain (leaf first) against trust anchors; returns the leaf and when the chain stops
 * being valid. @throws Error saying what is wrong
 */
export function checkCertificateChain(
  chain: readonly X509Certificate[],
  options: ChainCheckOptions,
): { readonly leaf: X509Certificate; readonly notAfter: Date } {
  const now = options.now ?? new Date();
  const leaf = chain[0];
  if (!leaf) throw new Error('empty certificate chain');
  if (leaf.ca) throw new Error('the leaf certificate is a CA certificate');
  // Walk up until a certificate is a trust anchor itself or is issued by one.
  const path: X509Certificate[] = [];
  let anchor: X509Certificate | undefined;
  for (let i = 0; i < chain.length && !anchor; i++) {
    const certificate = chain[i]!;
    if (options.trustAnchors.some((root) => root.fingerprint256 === certificate.fingerprint256)) {
      anchor = certificate;
      break;
    }
    path.push(certificate);
    const next = chain[i + 1];
    if (next) {
      if (!next.ca || !certificate.checkIssued(next) || !certificate.verify(next.publicKey)) {
        throw new Error(`certificate ${i} of the chain is not issued and signed by certificate ${i + 1}`);
      }
    } else {
      anchor = options.trustAnchors.find((root) => root.ca && certificate.checkIssued(root) && certificate.verify(root.publicKey));
      if (!anchor) throw new Error('the chain does not end at a trusted anchor (FAME_CA_CERTS)');
    }
  }
  let notAfter = new Date(8.64e15);
  for (const certificate of [...path, anchor!]) {
    if (certificate.publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`${certificate.subject} has no Ed25519 key`);
    const from = new Date(certificate.validFrom);
    const to = new Date(certificate.validTo);
    if (now < from || now > to) throw new Error(`${certificate.subject.replace(/\n/g, ', ')} is not valid at ${now.toISOString()}`);
    if (to < notAfter) notAfter = to;
  }
  if (options.enforceNameConstraints ?? true) {
    const uris = uriSans(leaf);
    for (const ca of [...path.slice(1), anchor!]) checkNameConstraints(ca, uris);
  }
  return { leaf, notAfter };
}
