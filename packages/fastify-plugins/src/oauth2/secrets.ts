import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: authorization codes and session ids. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
