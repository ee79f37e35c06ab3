/**
 * Scenario 9: gated attach with OAuth2 client-credentials tokens across implementations, with the
 * reference's own environment (`FAME_ADMISSION_TOKEN_URL` … for children, `FAME_JWT_*` for the
 * sentinel). Our sentinel checks tokens on the WebSocket upgrade with the `oauth2-gated`
 * authorizer (the NodeAttach-level checks wait for the fabric's new security seam).
 */
import { AttachError } from '@naylence/core';
import { runOAuth2Server } from '@naylence/cli';
import {
  authorizationProfiles,
  createJwtIssuer,
  generateJwtSigningKey,
  oauth2Authorizer,
  oauth2ClientCredentialsTokenProvider,
  staticTokenProvider,
} from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { spawnReference, startReferenceSentinel, started, uniqueId } from './harness.js';
import { connectOurNode, startOurAgent, startOurSentinel } from './ours.js';

const CLIENT = { id: 'gated-client', secret: 'gated-secret-0123456789abcdef' };
const AUDIENCE = 'fame.fabric';

async function ourTokenServer() {
  return runOAuth2Server({ clientId: CLIENT.id, clientSecret: CLIENT.secret, port: 0, audience: AUDIENCE, issuer: (url) => url });
}

/** Our client-credentials provider for the test client. */
const clientCredentials = (tokenUrl: string) =>
  oauth2ClientCredentialsTokenProvider({ tokenUrl, clientId: CLIENT.id, clientSecret: CLIENT.secret, audience: AUDIENCE });

/** The environment a reference child reads to fetch its tokens (as in the gated example's .env files). */
const childEnv = (tokenUrl: string) => ({
  FAME_ADMISSION_TOKEN_URL: tokenUrl,
  FAME_ADMISSION_CLIENT_ID: CLIENT.id,
  FAME_ADMISSION_CLIENT_SECRET: CLIENT.secret,
  FAME_JWT_AUDIENCE: AUDIENCE,
});

async function referenceClientAdd(url: string, env: Record<string, string>) {
  await using proc = spawnReference('ref-client.mjs', {
    args: [`--url=${url}`, `--id=${uniqueId('ref-client')}`, '--tests=add'],
    env,
    name: 'ref-client (oauth2)',
  });
  await proc.finished(60_000);
  return { attach: proc.lines.find((l) => l.test === 'attach'), add: proc.lines.find((l) => l.test === 'add'), stderr: proc.stderr };
}

describe('interop: gated attach with OAuth2 tokens', () => {
  it('9a. reference agent and client fetch tokens from our oauth2-server and from the reference dev server, and attach to our oauth2-gated sentinel', async () => {
    await using ours = await ourTokenServer();
    const referenceIssuer = 'https://auth.reference.test';
    await using reference = await started(
      spawnReference('ref-oauth2-server.mjs', {
        env: {
          FAME_JWT_CLIENT_ID: CLIENT.id,
          FAME_JWT_CLIENT_SECRET: CLIENT.secret,
          FAME_JWT_ISSUER: referenceIssuer,
          FAME_JWT_AUDIENCE: AUDIENCE,
        },
      }),
    );
    const referenceUrl = `http://127.0.0.1:${reference.readyText}`;
    for (const server of [
      { issuer: ours.issuer, tokenUrl: ours.tokenUrl, jwksUrl: ours.jwksUrl },
      { issuer: referenceIssuer, tokenUrl: `${referenceUrl}/oauth/token`, jwksUrl: `${referenceUrl}/.well-known/jwks.json` },
    ]) {
      const authorizer = authorizationProfiles['oauth2-gated']({
        env: {
          FAME_JWT_TRUSTED_ISSUER: server.issuer,
          FAME_JWT_AUDIENCE: AUDIENCE,
          FAME_JWT_ALGORITHM: 'EdDSA',
          FAME_JWKS_URL: server.jwksUrl,
        },
      });
      await using sentinel = await startOurSentinel({ id: uniqueId('our-gated'), authorizer });
      await using _agent = await started(
        spawnReference('ref-agent.mjs', {
          args: [`--url=${sentinel.url}`, `--id=${uniqueId('ref-agent')}`],
          env: childEnv(server.tokenUrl),
          name: 'ref-agent (oauth2)',
        }),
      );
      const run = await referenceClientAdd(sentinel.url, childEnv(server.tokenUrl));
      expect(run.attach, run.stderr).toMatchObject({ ok: true });
      expect(run.add).toMatchObject({ ok: true, result: 7 });
      // Without credentials the reference client is refused like the reference refuses it.
      const refused = await referenceClientAdd(sentinel.url, {});
      expect(refused.attach).toMatchObject({ ok: false, error: { message: expect.stringContaining('1008') } });
    }
  });

  it('9b. our client with the client-credentials provider attaches to the reference gated sentinel and calls a reference agent that got its token from our server', async () => {
    await using tokens = await ourTokenServer();
    const env = { FAME_JWT_TRUSTED_ISSUER: tokens.issuer, FAME_JWT_AUDIENCE: AUDIENCE, FAME_JWT_ALGORITHM: 'EdDSA' };
    await using sentinel = await startReferenceSentinel({ id: uniqueId('ref-gated'), security: 'gated', env });
    const url = sentinel.url;
    await using _agent = await started(
      spawnReference('ref-agent.mjs', {
        args: [`--url=${url}`, `--id=${uniqueId('ref-agent')}`],
        env: childEnv(tokens.tokenUrl),
        name: 'ref-agent (oauth2)',
      }),
    );
    const tokenProvider = clientCredentials(tokens.tokenUrl);
    const client = await connectOurNode(url, { id: uniqueId('our-client'), token: tokenProvider });
    await using _client = { [Symbol.asyncDispose]: () => client.stop() };
    expect(await client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);

    // A token signed by a key the server never published is refused by the reference sentinel.
    const rogue = await createJwtIssuer({ issuer: tokens.issuer, key: await generateJwtSigningKey(), audience: AUDIENCE }).issue({
      sub: 'x',
      scope: 'node.connect',
    });
    const error = await connectOurNode(url, { id: uniqueId('our-rogue'), token: staticTokenProvider(rogue) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachError);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  it('9c. our oauth2-gated sentinel refuses bad tokens over a real socket (NodeAttachAck ok:false + 1008) and keeps honest nodes across a key rotation', async () => {
    await using tokens = await ourTokenServer();
    // Typed options instead of the environment, to let the verifier refetch keys at once after a
    // rotation (the default cooldown lets it refetch at most every 30 s).
    const authorizer = oauth2Authorizer({ issuer: tokens.issuer, audience: AUDIENCE, algorithms: ['EdDSA'], jwksRefetchCooldownMs: 0 });
    await using sentinel = await startOurSentinel({ id: uniqueId('our-gated'), authorizer });
    const honest = clientCredentials(tokens.tokenUrl);
    const agent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent'), token: honest });
    await using _agent = { [Symbol.asyncDispose]: () => agent.stop() };

    const now = Math.floor(Date.now() / 1000);
    const signer = createJwtIssuer({ issuer: tokens.issuer, key: () => tokens.keys.current, audience: AUDIENCE });
    const rogue = createJwtIssuer({ issuer: tokens.issuer, key: await generateJwtSigningKey(), audience: AUDIENCE });
    const bad: Record<string, string | undefined> = {
      'no token': undefined,
      garbage: 'not-a-jwt',
      expired: await signer.issue({ scope: 'node.connect', iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
      'not yet valid': await signer.issue({ scope: 'node.connect', nbf: now + 3600 }),
      'wrong issuer': await signer.issue({ scope: 'node.connect', iss: 'https://evil.test' }),
      'wrong audience': await signer.issue({ scope: 'node.connect', aud: '/elsewhere' }),
      'missing scope': await signer.issue({ scope: 'node.read' }),
      'unpublished key': await rogue.issue({ scope: 'node.connect' }),
    };
    for (const [name, token] of Object.entries(bad)) {
      const error = await connectOurNode(sentinel.url, { id: uniqueId('intruder'), ...(token !== undefined && { token }) }).catch(
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(AttachError);
      expect(error, name).toMatchObject({ code: 'AUTHENTICATION_FAILED', reason: 'Authentication failed' });
    }

    // Rotation during the run: the attached agent stays reachable; a node holding a token of the
    // old key and a node with a token of the new key both get in.
    const before = await connectOurNode(sentinel.url, { id: uniqueId('our-client'), token: honest });
    await using _before = { [Symbol.asyncDispose]: () => before.stop() };
    tokens.keys.rotate(await generateJwtSigningKey());
    const fresh = clientCredentials(tokens.tokenUrl);
    const after = await connectOurNode(sentinel.url, { id: uniqueId('our-client'), token: fresh });
    await using _after = { [Symbol.asyncDispose]: () => after.stop() };
    for (const client of [before, after]) expect(await client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);
    const reconnect = await connectOurNode(sentinel.url, { id: uniqueId('our-client'), token: honest });
    await reconnect.stop();
  });
});
