import Fastify from 'fastify';
import { createWelcomeService, staticPlacement, webSocketProvisioner, welcomeServiceClient } from '@naylence/admission';
import { readVector } from '@naylence-tools/conformance';
import {
  bearerTokenHeaderAuth,
  createJwtIssuer,
  createJwksVerifier,
  JwtKeyRing,
  sharedSecretAuthorizer,
  staticTokenProvider,
} from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { listen } from './fixtures.test.util.js';
import { welcomePlugin } from './index.js';

interface Exchange {
  readonly name: string;
  readonly request: { readonly headers: Record<string, string>; readonly body: Record<string, unknown> };
  readonly response: { readonly status: number; readonly body: Record<string, unknown> };
}
interface Vectors {
  readonly service_config: {
    readonly placement: { targetSystemId: string; targetPhysicalPath: string };
    readonly transport: { url: string };
    readonly token_issuer: { issuer: string; ttlSec: number };
    readonly authorizer: { secret: string };
  };
  readonly exchanges: readonly Exchange[];
  readonly decoded_attach_token: { readonly payload: Record<string, unknown> };
}
const vectors = readVector<Vectors>('security/welcome-exchange.json');
const config = vectors.service_config;

/** Our welcome server configured as the recorded reference one was. */
async function welcomeApp() {
  const keys = await JwtKeyRing.generate();
  const app = Fastify({ logger: false });
  await app.register(welcomePlugin, {
    service: createWelcomeService({
      placement: staticPlacement(config.placement),
      transports: [webSocketProvisioner(config.transport)],
      tokenIssuer: createJwtIssuer({ issuer: config.token_issuer.issuer, key: () => keys.current, ttlSec: config.token_issuer.ttlSec }),
    }),
    authorizer: sharedSecretAuthorizer({ secret: config.authorizer.secret }),
    jwks: () => keys.jwks(),
  });
  await app.ready();
  return { app, keys, [Symbol.asyncDispose]: () => app.close() };
}

/** The shape of a JSON value: keys and value types, recursively (ids, times and tokens differ per run). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return typeof value;
}

describe('welcome plugin: the recorded reference exchanges', () => {
  it.each(vectors.exchanges.map((e) => [e.name, e] as const))('%s: same status and body shape', async (_name, recorded) => {
    await using welcome = await welcomeApp();
    const response = await welcome.app.inject({
      method: 'POST',
      url: '/fame/v1/welcome/hello',
      headers: { 'content-type': 'application/json', ...recorded.request.headers },
      payload: recorded.request.body,
    });
    const body = response.json<Record<string, unknown>>();
    if (recorded.name === 'hello_invalid_logical_is_500') {
      // Deliberate difference (S7): client input is a 422, with the reference's message.
      expect(response.statusCode).toBe(422);
      expect(body).toEqual(recorded.response.body);
      return;
    }
    expect(response.statusCode).toBe(recorded.response.status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const { seqId: _s, flowFlags: _f, ...recordedShape } = shape(recorded.response.body) as Record<string, unknown>;
    expect(shape(body)).toEqual(recordedShape);
    if (recorded.response.status === 401 || recorded.response.status === 422) expect(body).toEqual(recorded.response.body);
  });

  it('the attach token carries the recorded claims and verifies against the JWKS published under /fame/welcome', async () => {
    await using welcome = await welcomeApp();
    const base = await listen(welcome.app);
    const recorded = vectors.exchanges[0]!;
    const client = welcomeServiceClient({
      url: `${base}/fame/v1/welcome/hello`,
      auth: bearerTokenHeaderAuth(staticTokenProvider(config.authorizer.secret)),
    });
    const { welcome: admitted, authOf } = await client.hello({ systemId: 'agent-b', instanceId: 'inst-0001', logicals: ['fame.fabric'] });
    const auth = authOf(admitted.connectionGrants[0]!);
    const token = auth.type === 'NoAuth' ? '' : (await auth.tokenProvider.getToken()).value;
    const verifier = createJwksVerifier({
      jwksUrl: `${base}/fame/welcome/.well-known/jwks.json`,
      issuer: config.token_issuer.issuer,
      algorithms: ['EdDSA'],
    });
    const { claims } = await verifier.verify(token, { audience: ['/sentinel-a'] });
    const strip = ({ iat: _i, nbf: _n, exp: _e, kid: _k, ...rest }: Record<string, unknown>) => rest;
    expect(strip(claims)).toEqual(strip(vectors.decoded_attach_token.payload));
    expect(recorded.response.status).toBe(200);
    const health = await fetch(`${base}/health`);
    expect(await health.json()).toEqual({ status: 'healthy', service: 'node-welcome-server' });
  });

  it('answers bad bodies with 422 and a refusal of the service with 403, never a stack or a 500', async () => {
    await using welcome = await welcomeApp();
    const post = (payload: string, contentType = 'application/json') =>
      welcome.app.inject({
        method: 'POST',
        url: '/fame/v1/welcome/hello',
        headers: { 'content-type': contentType, authorization: `Bearer ${config.authorizer.secret}` },
        payload,
      });
    const garbage = await post('{not json');
    expect(garbage.statusCode).toBe(422);
    expect(Object.keys(garbage.json<object>())).toEqual(['detail']);
    expect((await post('[1,2]')).json()).toEqual({ detail: 'Invalid hello envelope: expected a JSON object' });
    expect((await post('x'.repeat(70_000))).statusCode).toBe(413);
    const http = await post(
      JSON.stringify({ frame: { type: 'NodeHello', systemId: 'a', instanceId: 'i', supportedTransports: ['http'] } }),
    );
    expect(http.statusCode).toBe(403);
    expect(http.json()).toEqual({ detail: 'Unsupported transports: http' });
  });
});
