import { defaultCryptoProvider } from '../platform/index.js';
import { utf8Encode } from './encoding.js';
import type { CryptoProvider } from './provider.js';

/**
 * Constant-time string equality for secrets (shared secrets, client secrets, PKCE challenges):
 * both sides are hashed with SHA-256 and the digests compared with the provider's
 * `timingSafeEqual`, so neither the content nor the length of `expected` shows in the timing
 * (the reference compares with `===`, weakness S4).
 */
export function constantTimeEqual(presented: string, expected: string, provider: CryptoProvider = defaultCryptoProvider()): boolean {
  return provider.timingSafeEqual(provider.sha256(utf8Encode(presented)), provider.sha256(utf8Encode(expected)));
}
