/**
 * Scenario 12: the `gated` profile with every process started the way a user starts it: our
 * sentinel is `naylence sentinel` and our token server `naylence oauth2-server`, configured by
 * the reference's environment variables only; reference agents and clients run the agent SDK's
 * own configs (`FAME_ADMISSION_PROFILE=direct`, `FAME_ADMISSION_TOKEN_URL`, …); ours run
 * `createFabricFromEnv` on the same variables. Tokens are checked at attach, never per envelope.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnvelope, encodeEnvelope, randomId, type FameEnvelope } from '@naylence/core';
import { createFabricFromEnv, runOAuth2Server } from '@naylence/cli';
import {
  createJwtIssuer,
  generateJwtSigningKey,
  hmacSigningKey,
  importJwtSigningKey,
  subjectFingerprint,
  type JwtIssuer,
} from '@naylence/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runReferenceClient,
  spawnReference,
  startNaylence,
  startReferenceAgent,
  startReferenceSentinel,
  started,
  uniqueId,
  type JsonLine,
  type RoleProcess,
} from './harness.js';
import { fibonacci, interopLogger, MathService } from './ours.js';
import { RawClient, type Closed } from './raw-ws.js';

const CLIENT = { id: 'gated-cli-client', secret: 'gated-cli-secret-0123456789abcdef' };
const AUDIENCE = 'fame.fabric';

/** What a child reads to fetch its tokens (as in the official gated example's .env files). */
function childEnv(sentinelUrl: string, tokenUrl: string): Record<string, string> {
  return {
    FAME_ADMISSION_PROFILE: 'direct',
    FAME_DIRECT_ADMISSION_URL: sentinelUrl,
    FAME_ADMISSION_TOKEN_URL: tokenUrl,
    FAME_ADMISSION_CLIENT_ID: CLIENT.id,
    FAME_ADMISSION_CLIENT_SECRET: CLIENT.secret,
    FAME_JWT_AUDIENCE: AUDIENCE,
  };
}

/** A gated `naylence sentinel` trusting `issuer` (keys at `jwksUrl`). */
function gatedSentinel(issuer: string, jwksUrl: string, extra: Record<string, string> = {}) {
  return startNaylence(['sentinel', '--port', '0', '--id', uniqueId('our-gated')], {
    FAME_SECURITY_PROFILE: 'gated',
    FAME_JWT_TRUSTED_ISSUER: issuer,
    FAME_JWT_AUDIENCE: AUDIENCE,
    FAME_JWT_ALGORITHM: 'EdDSA',
    FAME_JWKS_URL: jwksUrl,
    ...extra,
  });
}

/**
 * The reference's development token server, with the reference's variables; `issuer: 'self'`
 * makes its own URL the issuer (what a reference sentinel needs: it fetches `<issuer>/.well-known/jwks.json`).
 */
async function referenceTokenServer(issuer: string) {
  const proc = await started(
    spawnReference('ref-oauth2-server.mjs', {
      args: issuer === 'self' ? ['--issuer=self'] : [],
      env: {
        FAME_JWT_CLIENT_ID: CLIENT.id,
        FAME_JWT_CLIENT_SECRET: CLIENT.secret,
        FAME_JWT_AUDIENCE: AUDIENCE,
        ...(issuer !== 'self' && { FAME_JWT_ISSUER: issuer }),
      },
    }),
  );
  const base = `http://127.0.0.1:${proc.readyText}`;
  return Object.assign(proc, {
    issuer: issuer === 'self' ? base : issuer,
    tokenUrl: `${base}/oauth/token`,
    jwksUrl: `${base}/.well-known/jwks.json`,
  });
}

function expectProbes(run: { result(test: string): JsonLine; stderr: string }): void {
  expect(run.result('attach'), run.stderr).toMatchObject({ ok: true });
  expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
  expect(run.result('fib')).toMatchObject({ ok: true, result: fibonacci(10) });
  expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });
  expect(run.result('unknown_address')).toMatchObject({ ok: false, error: { message: expect.stringContaining("code 'NO_ROUTE'") } });
}

describe('interop: gated with `naylence sentinel` and `naylence oauth2-server` started from the environment', () => {
  it('12a. reference agent and client get tokens from the reference dev server, then from ours, and attach to our gated sentinel', async () => {
    await using reference = await referenceTokenServer('https://auth.reference.test');
    await using ours = await startNaylence(['oauth2-server', '--port', '0'], {
      FAME_JWT_CLIENT_ID: CLIENT.id,
      FAME_JWT_CLIENT_SECRET: CLIENT.secret,
      FAME_JWT_ISSUER: 'https://auth.ours.test',
      FAME_JWT_AUDIENCE: AUDIENCE,
    });
    const servers = [
      { issuer: reference.issuer, tokenUrl: reference.tokenUrl, jwksUrl: reference.jwksUrl },
      { issuer: 'https://auth.ours.test', tokenUrl: `${ours.url}/oauth/token`, jwksUrl: `${ours.url}/.well-known/jwks.json` },
    ];
    for (const server of servers) {
      await using sentinel = await gatedSentinel(server.issuer, server.jwksUrl);
      const env = childEnv(sentinel.url, server.tokenUrl);
      await using _agent = await startReferenceAgent(sentinel.url, { capability: 'math.v1', env });
      expectProbes(await runReferenceClient(sentinel.url, 'add,fib,cap,unknown', { env }));
      const { FAME_ADMISSION_TOKEN_URL: _u, FAME_ADMISSION_CLIENT_ID: _i, FAME_ADMISSION_CLIENT_SECRET: _s, ...bare } = env;
      const refused = await runReferenceClient(sentinel.url, 'add', { env: { ...bare, FAME_ADMISSION_PROFILE: 'open' } });
      expect(refused.result('attach')).toMatchObject({ ok: false, error: { message: expect.stringContaining('1008') } });
    }
  });

  it('12b. our agent and client (createFabricFromEnv) with the reference gated sentinel and the reference token server', async () => {
    // The reference fetches keys from <issuer>/.well-known/jwks.json: the issuer must be the server's URL.
    await using refTokens = await referenceTokenServer('self');
    const env = { FAME_JWT_TRUSTED_ISSUER: refTokens.issuer, FAME_JWT_AUDIENCE: AUDIENCE, FAME_JWT_ALGORITHM: 'EdDSA' };
    await using sentinel = await startReferenceSentinel({ id: uniqueId('ref-gated'), security: 'gated', env });
    const children = childEnv(sentinel.url, refTokens.tokenUrl);
    await using agent = await createFabricFromEnv({ env: children, systemId: uniqueId('our-agent'), logger: interopLogger() });
    await agent.serve('math@fame.fabric', new MathService(agent.node.systemId), { capabilities: ['math.v1'] });
    await using client = await createFabricFromEnv({ env: children, systemId: uniqueId('our-client'), logger: interopLogger() });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
    expect(await client.invokeStream('math@fame.fabric', 'fib', { n: 10 }).toArray()).toEqual(fibonacci(10));
    expect(await client.invokeByCapability(['math.v1'], 'add', { x: 10, y: 5 })).toBe(15);
    expect(client.profiles.admission).toBe('direct');
  });
});

/** One attach attempt on a raw socket: the NodeAttachAck it got, and how the link closed. */
async function attempt(
  url: string,
  token: string | undefined,
  systemId = uniqueId('intruder'),
): Promise<{ ack: FameEnvelope | undefined; closed: Closed | undefined }> {
  await using raw = new RawClient(url, systemId, token);
  await raw.open();
  raw.sendRaw(
    encodeEnvelope(
      createEnvelope({
        corrId: randomId(),
        frame: { type: 'NodeAttach', originType: 'downstream', systemId, instanceId: randomId(), acceptedLogicals: ['*'] },
      }),
    ),
  );
  const first = await Promise.race([raw.next((e) => e.frame.type === 'NodeAttachAck'), raw.closed]);
  const ack = 'frame' in first ? first : undefined;
  // A refused link closes; an admitted one stays open (and is closed by the dispose).
  const closed = ack?.frame.type === 'NodeAttachAck' && ack.frame.ok ? undefined : await raw.closed;
  return { ack, closed };
}

describe.sequential('interop: our gated `naylence sentinel` refuses bad tokens over a real socket (NodeAttachAck ok:false + 1008)', () => {
  const issuerName = 'https://auth.refusals.test';
  let dir: string;
  let tokenServer: RoleProcess & { readonly url: string };
  let sentinel: RoleProcess & { readonly url: string };
  let issue: JwtIssuer;
  let publishedKid: string;
  let publicPem: string;

  beforeAll(async () => {
    // The token server signs with a key from a file, so this test can mint tokens with it too.
    dir = mkdtempSync(path.join(tmpdir(), 'naylence-gated-'));
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyFile = path.join(dir, 'signing-key.pem');
    writeFileSync(keyFile, pem, { mode: 0o600 });
    publishedKid = 'refusals-key-1';
    publicPem = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
    tokenServer = await startNaylence(['oauth2-server', '--port', '0'], {
      FAME_JWT_CLIENT_ID: CLIENT.id,
      FAME_JWT_CLIENT_SECRET: CLIENT.secret,
      FAME_JWT_ISSUER: issuerName,
      FAME_JWT_AUDIENCE: AUDIENCE,
      FAME_JWT_SIGNING_KEY_FILE: keyFile,
      FAME_JWT_SIGNING_KEY_ID: publishedKid,
    });
    sentinel = await gatedSentinel(issuerName, `${tokenServer.url}/.well-known/jwks.json`, {
      FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY: 'true',
    });
    issue = createJwtIssuer({ issuer: issuerName, key: await importJwtSigningKey({ pem, kid: publishedKid }), audience: AUDIENCE });
  });

  afterAll(async () => {
    await sentinel?.stop();
    await tokenServer?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  async function expectRefused(token: string | undefined, reason: string | RegExp = 'Authentication failed', systemId?: string) {
    const { ack, closed } = await attempt(sentinel.url, token, systemId);
    expect(ack?.frame).toMatchObject({
      type: 'NodeAttachAck',
      ok: false,
      reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
    });
    expect(closed?.code).toBe(1008);
  }

  it('12c. an honest token (the control case) is admitted', async () => {
    const sub = 'honest';
    const { ack } = await attempt(sentinel.url, await issue.issue({ sub, scope: 'node.connect' }), `${subjectFingerprint(sub)}-node`);
    expect(ack?.frame).toMatchObject({ type: 'NodeAttachAck', ok: true });
  });
  it('12d. no token', () => expectRefused(undefined));
  it('12e. garbage', () => expectRefused('not-a-jwt'));
  it('12f. expired', async () =>
    expectRefused(await issue.issue({ scope: 'node.connect', iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })));
  it('12g. not yet valid', async () => expectRefused(await issue.issue({ scope: 'node.connect', nbf: now() + 3600 })));
  it('12h. wrong issuer', async () => expectRefused(await issue.issue({ scope: 'node.connect', iss: 'https://evil.test' })));
  it('12i. wrong audience', async () => expectRefused(await issue.issue({ scope: 'node.connect', aud: 'elsewhere' })));
  it('12j. missing scope', async () => expectRefused(await issue.issue({ scope: 'node.read' })));
  it('12k. alg none', () =>
    expectRefused(
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuerName, aud: AUDIENCE, exp: now() + 600, scope: 'node.connect' })}.`,
    ));
  it('12l. HS256 signed with the published public key', async () => {
    const confused = createJwtIssuer({
      issuer: issuerName,
      key: hmacSigningKey({ secret: publicPem, kid: publishedKid }),
      audience: AUDIENCE,
    });
    await expectRefused(await confused.issue({ scope: 'node.connect' }));
  });
  it('12m. a well-formed token signed by a key the issuer never published', async () => {
    const rogue = createJwtIssuer({ issuer: issuerName, key: await generateJwtSigningKey(), audience: AUDIENCE });
    await expectRefused(await rogue.issue({ scope: 'node.connect' }));
  });
  it('12n. a token naming another node (system_id): refused at NodeAttach with the reason', async () => {
    const sub = 'named';
    const token = await issue.issue({ sub, scope: 'node.connect', system_id: 'someone-else' });
    await expectRefused(token, /the token is for node "someone-else"/, `${subjectFingerprint(sub)}-me`);
  });
  it('12o. token-subject identity (FAME_ENFORCE_TOKEN_SUBJECT_NODE_IDENTITY): a node id not derived from the token’s sub', async () => {
    await expectRefused(await issue.issue({ sub: 'alice', scope: 'node.connect' }), /token-subject identity/, 'bob-1');
  });
});

describe('interop: a key rotation at the token server while our gated sentinel runs', () => {
  it('12p. honest nodes stay attached; nodes with tokens of the old and of the new key get in', async () => {
    await using tokens = await runOAuth2Server({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      port: 0,
      audience: AUDIENCE,
      issuer: (u) => u,
    });
    // Rotation the way it is done without restarting verifiers: publish the next key first.
    const next = await generateJwtSigningKey();
    tokens.keys.publish(next);
    await using sentinel = await gatedSentinel(tokens.issuer, tokens.jwksUrl);
    const env = childEnv(sentinel.url, tokens.tokenUrl);
    await using agent = await createFabricFromEnv({ env, systemId: uniqueId('our-agent'), logger: interopLogger() });
    await agent.serve('math@fame.fabric', new MathService(agent.node.systemId));
    const old = await createJwtIssuer({ issuer: tokens.issuer, key: () => tokens.keys.current, audience: AUDIENCE }).issue({
      sub: CLIENT.id,
      scope: 'node.connect',
    });

    tokens.keys.rotate(next);
    await using fresh = await createFabricFromEnv({ env, systemId: uniqueId('our-client'), logger: interopLogger() });
    expect(await fresh.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);
    // An address of its own: ours is bound by the agent above (a second live binder is refused, FINDINGS 31).
    await using _refAgent = await startReferenceAgent(sentinel.url, {
      env,
      id: uniqueId('ref-agent-after'),
      service: 'refmath@fame.fabric',
    });
    expect(await fresh.invoke('refmath@fame.fabric', 'add', { x: 5, y: 5 })).toBe(10);
    const { FAME_ADMISSION_TOKEN_URL: _u, FAME_ADMISSION_CLIENT_ID: _i, FAME_ADMISSION_CLIENT_SECRET: _s, ...bare } = env;
    await using withOld = await createFabricFromEnv({
      env: { ...bare, FAME_PARENT_TOKEN: old },
      systemId: uniqueId('our-old'),
      logger: interopLogger(),
    });
    expect(await withOld.invoke('math@fame.fabric', 'add', { x: 2, y: 2 })).toBe(4);
    expect(agent.node.isAttached).toBe(true);
  });
});
