import { ConfigError } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { sharedSecretAuthorizer } from './shared-secret-authorizer.js';

describe('sharedSecretAuthorizer', () => {
  it('admits the secret as a bearer token, with the reference principal and method', async () => {
    const authorizer = sharedSecretAuthorizer({ secret: 's3cret' });
    expect(await authorizer.authenticate('Bearer s3cret')).toEqual({
      authenticated: true,
      principal: 'shared_secret_user',
      authMethod: 'shared-secret',
    });
  });

  it('strips the Bearer prefix in any case and accepts a bare token', async () => {
    const authorizer = sharedSecretAuthorizer({ secret: 's3cret' });
    for (const credentials of ['bearer s3cret', 'BEARER   s3cret', 's3cret']) {
      expect(await authorizer.authenticate(credentials), credentials).toMatchObject({ authenticated: true });
    }
  });

  it('refuses a wrong, a longer, a shorter, an empty or a missing token', async () => {
    const authorizer = sharedSecretAuthorizer({ secret: 's3cret' });
    for (const credentials of ['Bearer wrong', 'Bearer s3cret2', 'Bearer s3cre', 'Bearer ', '', undefined]) {
      expect(await authorizer.authenticate(credentials), String(credentials)).toBeUndefined();
    }
  });

  it('accepts any of several secrets (rotation) and a custom principal', async () => {
    const authorizer = sharedSecretAuthorizer({ secrets: ['old', 'new'], principal: 'ops' });
    expect(await authorizer.authenticate('Bearer old')).toMatchObject({ principal: 'ops' });
    expect(await authorizer.authenticate('Bearer new')).toMatchObject({ principal: 'ops' });
    expect(await authorizer.authenticate('Bearer other')).toBeUndefined();
  });

  it('handles tokens with non-ASCII characters', async () => {
    const authorizer = sharedSecretAuthorizer({ secret: 'clé-🔑' });
    expect(await authorizer.authenticate('Bearer clé-🔑')).toMatchObject({ authenticated: true });
    expect(await authorizer.authenticate('Bearer cle-🔑')).toBeUndefined();
  });

  it('refuses to be built without a usable secret', () => {
    expect(() => sharedSecretAuthorizer({ secret: '' })).toThrow(ConfigError);
    expect(() => sharedSecretAuthorizer({ secrets: [] })).toThrow(ConfigError);
    expect(() => sharedSecretAuthorizer({ secrets: ['ok', ''] })).toThrow(/non-empty/);
  });
});
