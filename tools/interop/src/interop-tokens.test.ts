/**
 * Scenario 8: tokens across implementations, over real HTTP on 127.0.0.1. A token from the
 * reference's development OAuth2 server passes our JWKS verifier and our gated authorizer; a token
 * from our `naylence oauth2-server` (`runOAuth2Server`) passes the reference's JWKS verifier and
 * its `oauth2-gated` authorization profile.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { runOAuth2Server } from '@naylence/cli';
import { authorizationProfiles, createJwksVerifier, oauth2ClientCredentialsTokenProvider, type OAuth2Authorizer } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { spawnReference, type JsonLine } from './harness.js';

const CLIENT = { id: 'interop-client', secret: 'interop-secret-0123456789' };
const AUDIENCE = 'fame.fabric';

/** The reference dev OAuth2 server on an ephemeral port. */
async function startReferenceOAuth2Server(issuer: string) {
  const proc = spawnReference('ref-oauth2-server.mjs', {
    env: {
      FAME_JWT_CLIENT_ID: CLIENT.id,
      FAME_JWT_CLIENT_SECRET: CLIENT.secret,
      FAME_JWT_ISSUER: issuer,
      FAME_JWT_AUDIENCE: AUDIENCE,
      FAME_JWT_ALLOWED_SCOPES: 'node.connect node.trusted',
    },
  });
  try {
    const port = Number(await proc.ready());
    return Object.assign(proc, { url: `http://127.0.0.1:${port}` });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** Runs the reference's verifier and authorizer on `tokens`; returns their JSON lines. */
async function referenceVerdicts(
  options: { jwksUrl: string; issuer: string; env?: Record<string, string>; args?: string[] },
  tokens: string[],
) {
  const proc = spawnReference('ref-verify-token.mjs', {
    args: [`--jwks-url=${options.jwksUrl}`, `--issuer=${options.issuer}`, `--audience=${AUDIENCE}`, ...(options.args ?? []), ...tokens],
    ...(options.env !== undefined && { env: options.env }),
  });
  await using _proc = proc;
  await proc.waitFor((l) => l.event === 'done');
  const of = (test: string) => proc.lines.filter((l) => l.test === test).sort((a, b) => Number(a.index) - Number(b.index));
  return { verifier: of('jwks_verifier'), authorizer: of('authorizer'), attach: of('attach'), build: of('authorizer_build') };
}

describe('interop: tokens', () => {
  it('8a. a token from the reference dev OAuth2 server passes our JWKS verifier and our oauth2-gated authorizer', async () => {
    const issuer = 'https://auth.reference.test';
    await using server = await startReferenceOAuth2Server(issuer);
    const jwksUrl = `${server.url}/.well-known/jwks.json`;
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      audience: AUDIENCE,
    });
    const { value: token } = await provider.getToken();
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(decodeJwt(token)).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: CLIENT.id, client_id: CLIENT.id, scope: 'node.connect' });

    const verifier = createJwksVerifier({ jwksUrl, issuer, audience: AUDIENCE, algorithms: ['EdDSA'] });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: CLIENT.id } });

    const env = { FAME_JWT_TRUSTED_ISSUER: issuer, FAME_JWT_AUDIENCE: AUDIENCE, FAME_JWT_ALGORITHM: 'EdDSA', FAME_JWKS_URL: jwksUrl };
    const gated = authorizationProfiles['oauth2-gated']({ env }) as OAuth2Authorizer;
    const context = await gated.authenticateOrThrow(`Bearer ${token}`);
    expect(context).toMatchObject({ principal: CLIENT.id, grantedScopes: ['node.connect'] });
    expect(await gated.authorizeAttach({ type: 'NodeAttach', systemId: 'any-node', instanceId: 'i' }, context)).toBe(true);
    // Subject enforcement, as the reference computes it.
    const enforcing = authorizationProfiles['oauth2-gated']({
      env: { ...env, FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY: 'true' },
    }) as OAuth2Authorizer;
    expect(enforcing.attachViolation({ type: 'NodeAttach', systemId: 'any-node', instanceId: 'i' }, context)).toMatch(
      /does not start with/,
    );
    // The reference server signs for any requested audience: ours refuses the wrong one.
    const other = await oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      audience: '/elsewhere',
    }).getToken();
    await expect(gated.authenticateOrThrow(`Bearer ${other.value}`)).rejects.toMatchObject({ failure: 'invalid_audience' });
  });

  it('8b. a token from our oauth2-server passes the reference JWKS verifier and its oauth2-gated profile', async () => {
    await using server = await runOAuth2Server({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      port: 0,
      audience: AUDIENCE,
      allowedScopes: ['node.connect', 'node.trusted'],
      // The reference's oauth2 profiles fetch keys from <issuer>/.well-known/jwks.json.
      issuer: (url) => url,
    });
    const provider = oauth2ClientCredentialsTokenProvider({
      tokenUrl: server.tokenUrl,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      audience: AUDIENCE,
    });
    const good = (await provider.getToken()).value;
    const wrongAudience = (
      await oauth2ClientCredentialsTokenProvider({
        tokenUrl: server.tokenUrl,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        audience: '/other',
      }).getToken()
    ).value;

    const env = { FAME_JWT_TRUSTED_ISSUER: server.issuer, FAME_JWT_AUDIENCE: AUDIENCE, FAME_JWT_ALGORITHM: 'EdDSA' };
    const verdicts = await referenceVerdicts(
      { jwksUrl: server.jwksUrl, issuer: server.issuer, env, args: ['--profile=oauth2-gated', '--system-id=n1'] },
      [good, wrongAudience],
    );
    expect(verdicts.build).toEqual([]);
    const [goodVerifier, badVerifier] = verdicts.verifier as (JsonLine & {
      context?: { claims: Record<string, unknown>; grantedScopes: string[] };
    })[];
    expect(goodVerifier).toMatchObject({
      ok: true,
      context: { authenticated: true, principal: CLIENT.id, grantedScopes: ['node.connect'] },
    });
    expect(goodVerifier!.context!.claims).toMatchObject({
      iss: server.issuer,
      aud: AUDIENCE,
      client_id: CLIENT.id,
      kid: server.keys.current.kid,
    });
    expect(badVerifier).toMatchObject({ ok: false, error: { message: 'Invalid audience' } });
    expect(verdicts.authorizer.map((l) => l.ok)).toEqual([true, false]);
    expect(verdicts.attach.map((l) => l.ok)).toEqual([true]);
  });
});
