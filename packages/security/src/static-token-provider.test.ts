import { ConfigError } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { staticTokenProvider } from './static-token-provider.js';

describe('staticTokenProvider', () => {
  it('always returns the same token, without expiry by default', async () => {
    const provider = staticTokenProvider('t0ken');
    expect(await provider.getToken()).toEqual({ value: 't0ken' });
    expect(await provider.getToken()).toEqual({ value: 't0ken' });
  });

  it('takes the expiry as a Date, epoch milliseconds or an ISO string', async () => {
    const when = Date.UTC(2030, 0, 1);
    for (const expiresAt of [new Date(when), when, '2030-01-01T00:00:00Z']) {
      const token = await staticTokenProvider('t', expiresAt).getToken();
      expect(token.expiresAt?.getTime()).toBe(when);
    }
  });

  it('exposes the sub of a JWT token as its identity (unverified), nothing for an opaque token', async () => {
    const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(await staticTokenProvider(jwt({ sub: 'spec-client' })).getIdentity?.()).toEqual({ subject: 'spec-client' });
    expect(await staticTokenProvider(jwt({ iss: 'x' })).getIdentity?.()).toBeUndefined();
    expect(await staticTokenProvider('s3cret').getIdentity?.()).toBeUndefined();
  });

  it('rejects when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(staticTokenProvider('t').getToken(controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses an empty token or an invalid expiry', () => {
    expect(() => staticTokenProvider('')).toThrow(ConfigError);
    expect(() => staticTokenProvider('t', 'not a date')).toThrow(/invalid expiresAt/);
  });
});
