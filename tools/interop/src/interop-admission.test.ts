/**
 * Admission across implementations (admission-and-http §1–§3, §8.5): a reference agent and
 * client admitted by our welcome server on our sentinel; our agent and client admitted by the
 * reference welcome server on the reference sentinel; a reference `direct-http` agent on the
 * HTTP ingress of `naylence sentinel --http` (the CLI as a process).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { staticPlacement, webSocketProvisioner } from '@naylence/admission';
import { admitFromEnv, runOAuth2Server, runWelcomeServer } from '@naylence/cli';
import { NOOP_LOGGER } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { authorizationProfiles } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { runReferenceAdmittedClient, startOurCli, startReferenceAdmittedAgent, startReferenceWelcome } from './admission-harness.js';
import { runReferenceClient, startReferenceHttpAgent, startReferenceSentinel, uniqueId } from './harness.js';
import { fibonacci, interopLogger, MathService, startOurSentinel } from './ours.js';
import { startTokenServer } from './token-server.js';

describe('interop: admission', () => {
  it('W1. a reference agent admitted by our welcome server attaches to our sentinel with its attach token and serves a reference client', async () => {
    const sentinelId = uniqueId('our-sentinel');
    // The reference's welcome profile always fetches an OAuth2 token for its hello: our token server, our authorizer.
    await using tokens = await ourTokenServer();
    let sentinelUrl = '';
    await using welcome = await runWelcomeServer({
      port: 0,
      placement: staticPlacement({ targetSystemId: sentinelId, targetPhysicalPath: `/${sentinelId}` }),
      transports: [{ transport: 'websocket', provision: (request) => webSocketProvisioner({ url: sentinelUrl }).provision(request) }],
      issuer: { algorithm: 'EdDSA' },
      authorizer: authorizationProfiles.oauth2({
        env: { FAME_JWT_TRUSTED_ISSUER: tokens.issuer, FAME_JWT_AUDIENCE: 'fame.fabric', FAME_JWT_ALGORITHM: 'EdDSA' },
      }),
      authorizerName: 'oauth2',
      logger: interopLogger(),
    });
    // Our sentinel admits only holders of our welcome's attach tokens, bound to their node (S1).
    const attachAuthorizer = authorizationProfiles.jwt({
      env: { FAME_JWT_TRUSTED_ISSUER: welcome.issuer, FAME_JWKS_URL: welcome.jwksUrl },
      physicalPath: `/${sentinelId}`,
    });
    await using sentinel = await startOurSentinel({ id: sentinelId, authorizer: attachAuthorizer });
    sentinelUrl = sentinel.url;

    const env = welcomeEnv(welcome.helloUrl, tokens.tokenUrl);
    await using agent = await startReferenceAdmittedAgent(env, { capability: 'math.v1' });
    expect(agent.ready.physicalPath).toBe(`/${sentinelId}/${agent.id}`);
    expect(sentinel.sentinel.linkedSystemIds).toContain(agent.id);

    const run = await runReferenceAdmittedClient(env, 'add,fib,cap', { n: 100 });
    expect(run.exit.code).toBe(0);
    expect(run.result('attach')).toMatchObject({ ok: true });
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: fibonacci(100) });
    expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });

    // Without a welcome, the reference client is refused at our sentinel.
    const refused = await runReferenceClient(sentinel.url, 'add');
    expect(refused.result('attach')).toMatchObject({ ok: false });
  });

  it('W2. our agent admitted by the reference welcome server attaches to the reference sentinel; our client, admitted too, calls it', async () => {
    const sentinelId = uniqueId('ref-sentinel');
    const issuer = 'https://ref-welcome.interop.test';
    // The reference sentinel trusts the welcome's tokens only with the jwt authorizer (§10). Its
    // URL goes into the welcome's config and the welcome's JWKS URL into its environment: a relay
    // on a port of ours breaks the circle (the reference fetches keys on first use).
    await using relay = await jwksRelay();
    await using sentinel = await startReferenceSentinel({
      id: sentinelId,
      security: 'gated',
      env: { FAME_AUTHORIZATION_PROFILE: 'jwt', FAME_JWT_TRUSTED_ISSUER: issuer, FAME_JWKS_URL: relay.url },
    });
    // Hellos carry OAuth2 tokens from our token server, checked by the reference welcome's oauth2 authorizer.
    await using tokens = await ourTokenServer();
    await using welcome = await startReferenceWelcome(
      {
        type: 'DefaultWelcomeService',
        placement: { type: 'StaticNodePlacementStrategy', target_system_id: sentinelId, target_physical_path: `/${sentinelId}` },
        transport: { type: 'WebSocketTransportProvisioner', url: sentinel.url },
        token_issuer: { type: 'JWTTokenIssuer', issuer },
        authorizer: { type: 'AuthorizationProfile', profile: 'oauth2' },
      },
      { FAME_JWT_TRUSTED_ISSUER: tokens.issuer, FAME_JWT_AUDIENCE: 'fame.fabric', FAME_JWT_ALGORITHM: 'EdDSA' },
    );
    relay.target = welcome.jwksUrl;

    // Without a token the reference welcome refuses our hello (401): our client fails loudly.
    await expect(
      admitFromEnv({
        env: { FAME_ADMISSION_PROFILE: 'welcome', FAME_ADMISSION_SERVICE_URL: welcome.helloUrl },
        systemId: uniqueId('our-anon'),
      }),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });

    const env = welcomeEnv(welcome.helloUrl, tokens.tokenUrl);
    const agentId = uniqueId('our-agent');
    await using admitted = await admitFromEnv({ env, systemId: agentId, logicals: ['fame.fabric'], logger: interopLogger() });
    expect(admitted.welcome).toMatchObject({ systemId: agentId, assignedPath: `/${sentinelId}/${agentId}`, targetSystemId: sentinelId });
    await using agent = await createFabric({ ...admitted.fabricOptions, logger: interopLogger(), env });
    expect(agent.physicalPath).toBe(`/${sentinelId}/${agentId}`);
    await agent.serve('math@fame.fabric', new MathService(agentId));

    await using clientAdmission = await admitFromEnv({ env, systemId: uniqueId('our-client') });
    await using client = await createFabric({ ...clientAdmission.fabricOptions, logger: NOOP_LOGGER, env });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })).toBe(7);
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(agentId);
    expect(await client.invokeStream('math@fame.fabric', 'fib', { n: 100 }).toArray()).toEqual(fibonacci(100));

    // And a reference client admitted by the same welcome server.
    const run = await runReferenceAdmittedClient(env, 'add');
    expect(run.result('attach')).toMatchObject({
      ok: true,
      physicalPath: expect.stringMatching(new RegExp(`^/${sentinelId}/`)) as unknown,
    });
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(relay.served).toBeGreaterThan(0);
  });

  it('W3. a reference direct-http agent on the HTTP ingress of `naylence sentinel --http` serves RPCs and a 100-item stream', async () => {
    await using tokens = await startTokenServer('cli-secret');
    await using sentinel = await startOurCli([
      'sentinel',
      '--http',
      '--host',
      '127.0.0.1',
      '-p',
      '0',
      '--id',
      uniqueId('our-cli-sentinel'),
      '--token',
      'cli-secret',
    ]);
    const port = new URL(sentinel.readyUrl).port;
    const ingress = `http://127.0.0.1:${port}/fame/v1/ingress/downstream`;
    expect(sentinel.textLines.join('\n')).toContain(`http       ${ingress}`);
    await using agent = await startReferenceHttpAgent(ingress, { tokenUrl: tokens.url, capability: 'math.v1' });
    expect(tokens.requests[0]).toMatchObject({ grant_type: 'client_credentials', scope: 'node.connect' });

    const run = await runReferenceClient(sentinel.readyUrl, 'add,fib,cap', { n: 100, token: 'cli-secret' });
    expect(run.exit.code).toBe(0);
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: fibonacci(100) });
    expect(run.result('cap_add')).toMatchObject({ ok: true, result: 15 });
    expect(agent.id).toMatch(/^ref-http-agent-/);

    // The ingress refuses a POST without the token, and one with a wrong token (401).
    for (const authorization of [undefined, 'Bearer wrong']) {
      const response = await fetch(`${ingress}/intruder`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
        body: '{}',
      });
      expect(response.status).toBe(401);
    }
  });
});

const CLIENT = { id: 'interop-client', secret: 'interop-secret' };

/** Our token server (`naylence oauth2-server` in-process), with the one OAuth2 client the hellos use. */
function ourTokenServer() {
  return runOAuth2Server({ port: 0, clientId: CLIENT.id, clientSecret: CLIENT.secret, issuer: (url) => url, audience: 'fame.fabric' });
}

/** The reference's variables of the `welcome` admission profile, with an OAuth2 client of our token server. */
function welcomeEnv(helloUrl: string, tokenUrl: string): Record<string, string> {
  return {
    FAME_ADMISSION_PROFILE: 'welcome',
    FAME_ADMISSION_SERVICE_URL: helloUrl,
    FAME_ADMISSION_TOKEN_URL: tokenUrl,
    FAME_ADMISSION_CLIENT_ID: CLIENT.id,
    FAME_ADMISSION_CLIENT_SECRET: CLIENT.secret,
    FAME_JWT_AUDIENCE: 'fame.fabric',
  };
}

/** A JWKS URL on a port of ours that serves the key set found at `target` (set once it is known). */
async function jwksRelay() {
  const state = { target: '', served: 0 };
  const server = createServer((request, response) => {
    void (async () => {
      try {
        const upstream = await fetch(state.target);
        state.served += 1;
        response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      } catch {
        response.writeHead(503).end();
      }
    })();
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/jwks.json`,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
