import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Constant-time string equality: both sides are hashed first, so neither the content nor the
 * length of the expected value shows in the timing (the reference compares with `===`, S4).
 */
export function safeEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** 32 random bytes, base64url: authorization codes and session ids. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
