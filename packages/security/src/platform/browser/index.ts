/**
 * The browser crypto provider: `@noble/curves` (Ed25519, X25519), `@noble/ciphers`
 * (ChaCha20-Poly1305, AES-256-GCM), `@noble/hashes` (SHA-256, HKDF) and WebCrypto
 * `getRandomValues`. Selected by the package's `browser` export condition. Pure JavaScript,
 * so Node tests import this module directly to check it against the Node provider.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { gcm } from '@noble/ciphers/aes.js';
import { equalBytes } from '@noble/ciphers/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { nobleProviderFrom } from '../../crypto/noble-provider.js';
import { withWebCryptoEd25519 } from '../../crypto/webcrypto-ed25519.js';
import type { CryptoProvider } from '../../crypto/provider.js';

/** The `@noble/*` provider, built from static imports. */
export const browserCryptoProvider: CryptoProvider = nobleProviderFrom({
  ed25519,
  x25519,
  sha256,
  hkdf: hkdf,
  chacha20poly1305,
  gcm,
  randomBytes,
  equalBytes,
});

/** The provider of this platform: `@noble/*`. */
export function defaultCryptoProvider(): CryptoProvider {
  return browserCryptoProvider;
}

/**
 * The provider this platform signs fastest with: `@noble/*`, plus WebCrypto Ed25519 as its
 * asynchronous signer and verifier where the browser has it (`noble+webcrypto`); probed once.
 */
export function loadDefaultCryptoProvider(): Promise<CryptoProvider> {
  return withWebCryptoEd25519(browserCryptoProvider);
}

/** Imports a plug-in module by name (FAME_PLUGINS): the bundler's or the browser's resolution. */
export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
}
