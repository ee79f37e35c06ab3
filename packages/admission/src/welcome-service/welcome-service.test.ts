import type { NodeHelloFrame } from '@naylence/core';
import { createJwtIssuer, createLocalJwksVerifier, JwtKeyRing } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { exchange, welcomeVectors } from '../welcome-vectors.test.util.js';
import { helloFromRequestBody } from './hello-request.js';
import { staticPlacement } from './placement.js';
import { httpProvisioner, webSocketProvisioner } from './provisioners.js';
import { createWelcomeService, type WelcomeServiceOptions } from './welcome-service.js';

const config = welcomeVectors.service_config;

async function vectorService(overrides: Partial<WelcomeServiceOptions> = {}) {
  const keys = await JwtKeyRing.generate();
  const issuer = createJwtIssuer({ issuer: config.token_issuer.issuer, key: () => keys.current, ttlSec: config.token_issuer.ttlSec });
  const service = createWelcomeService({
    placement: staticPlacement(config.placement),
    transports: [webSocketProvisioner(config.transport), httpProvisioner({ url: 'http://127.0.0.1:8000/fame/v1/ingress/downstream' })],
    tokenIssuer: issuer,
    ...overrides,
  });
  const verifier = createLocalJwksVerifier({ jwks: keys.jwks(), issuer: config.token_issuer.issuer });
  return { service, keys, verifier };
}

const tokenOf = (grant: unknown) => (grant as { auth: { tokenProvider: { token: string } } }).auth.tokenProvider.token;

describe('welcome service', () => {
  it('answers the recorded hello like the reference: same frame, an attach token with the §3.3 claims', async () => {
    const { service, verifier, keys } = await vectorService();
    const recorded = exchange('welcome_service_client_hello');
    const frame = await service.handleHello(helloFromRequestBody(recorded.request.body));
    const expected = recorded.response.body.frame as Record<string, unknown>;
    const strip = ({ expiresAt: _e, connectionGrants: _g, ...rest }: Record<string, unknown>) => rest;
    expect(strip(frame)).toEqual(strip(expected));
    expect(Object.keys(frame)).toEqual(Object.keys(expected));
    expect(Date.parse(frame.expiresAt!) - Date.now()).toBeGreaterThan(3_590_000);

    const [grant] = frame.connectionGrants!;
    const { auth: _a, ...grantShape } = grant as Record<string, unknown>;
    const { auth: _b, ...expectedShape } = (expected.connectionGrants as Record<string, unknown>[])[0]!;
    expect(grantShape).toEqual(expectedShape);
    const { claims, header } = await verifier.verify(tokenOf(grant), { audience: ['/sentinel-a'] });
    const { iat, nbf, exp, kid: _kid, ...rest } = claims;
    const { iat: _i, nbf: _n, exp: _x, ...recordedRest } = welcomeVectors.decoded_attach_token.payload;
    expect(rest).toEqual(recordedRest);
    expect(Object.keys(claims).filter((k) => k !== 'kid')).toEqual(Object.keys(welcomeVectors.decoded_attach_token.payload));
    expect(nbf).toBe(iat);
    expect(exp! - iat!).toBe(3600);
    expect(header).toEqual({ alg: 'EdDSA', kid: keys.current.kid, typ: 'JWT' });
    expect(claims.sub).toBeUndefined();
  });

  it('assigns an id to an empty one, places the target itself as a root without grants', async () => {
    const { service } = await vectorService();
    const assigned = await service.handleHello(helloFromRequestBody(exchange('hello_empty_system_id_gets_assigned').request.body));
    expect(assigned.systemId).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(assigned).toMatchObject({ assignedPath: `/sentinel-a/${assigned.systemId}`, acceptedLogicals: [] });
    const root = await service.handleHello(helloFromRequestBody(exchange('hello_root_sentinel_itself').request.body));
    const expected = exchange('hello_root_sentinel_itself').response.body.frame as Record<string, unknown>;
    const { expiresAt: _a, ...rootShape } = root;
    const { expiresAt: _b, ...expectedShape } = expected;
    expect(rootShape).toEqual(expectedShape);
  });

  it('refuses invalid logicals with the reference message, as INVALID_HELLO (the reference answers 500, S7)', async () => {
    const { service } = await vectorService();
    const recorded = exchange('hello_invalid_logical_is_500');
    await expect(service.handleHello(helloFromRequestBody(recorded.request.body))).rejects.toMatchObject({
      code: 'INVALID_HELLO',
      message: (recorded.response.body as { detail: string }).detail,
    });
    const hello: NodeHelloFrame = { type: 'NodeHello', systemId: 'a/b', instanceId: 'i' };
    await expect(service.handleHello(hello)).rejects.toMatchObject({ code: 'INVALID_HELLO' });
  });

  it('provisions the first transport the node supports; none in common is ADMISSION_REJECTED', async () => {
    const { service } = await vectorService();
    const hello = (supportedTransports: string[]): NodeHelloFrame => ({
      type: 'NodeHello',
      systemId: 'n',
      instanceId: 'i',
      supportedTransports,
    });
    expect((await service.handleHello(hello(['http', 'websocket']))).connectionGrants![0]).toMatchObject({
      type: 'WebSocketConnectionGrant',
    });
    const http = (await service.handleHello(hello(['http']))).connectionGrants![0];
    expect(http).toMatchObject({
      type: 'HttpConnectionGrant',
      purpose: 'node.attach',
      url: 'http://127.0.0.1:8000/fame/v1/ingress/downstream',
      auth: { type: 'BearerTokenHeaderAuth', tokenProvider: { type: 'StaticTokenProvider' } },
    });
    await expect(service.handleHello(hello(['inpage']))).rejects.toMatchObject({
      code: 'ADMISSION_REJECTED',
      message: 'Unsupported transports: inpage',
    });
  });

  it('token-subject identity binds the id to the caller: <fingerprint(sub)>-<id>; no subject is refused', async () => {
    const { service, verifier } = await vectorService({ identity: 'token-subject' });
    const hello: NodeHelloFrame = { type: 'NodeHello', systemId: 'node-1', instanceId: 'i' };
    const frame = await service.handleHello(hello, { authorization: { authenticated: true, claims: { sub: 'spec-client' } } });
    expect(frame.systemId).toBe('zAfmX84b-node-1');
    const { claims } = await verifier.verify(tokenOf(frame.connectionGrants![0]), { audience: ['/sentinel-a'] });
    expect(claims).toMatchObject({ system_id: 'zAfmX84b-node-1', assigned_path: '/sentinel-a/zAfmX84b-node-1' });
    await expect(service.handleHello(hello, { authorization: { authenticated: true } })).rejects.toMatchObject({
      code: 'ADMISSION_REJECTED',
    });
  });

  it('a placement that refuses is ADMISSION_REJECTED; placement may override the logicals', async () => {
    const { service } = await vectorService({ placement: { place: () => ({ accept: false, reason: 'full' }) } });
    await expect(service.handleHello({ type: 'NodeHello', systemId: 'n', instanceId: 'i' })).rejects.toMatchObject({
      code: 'ADMISSION_REJECTED',
      message: 'full',
    });
    const { service: narrowing } = await vectorService({
      placement: {
        place: () => ({ accept: true, assignedPath: '/p/n', targetSystemId: 'p', targetPhysicalPath: '/p', acceptedLogicals: ['a.b'] }),
      },
    });
    expect(await narrowing.handleHello({ type: 'NodeHello', systemId: 'n', instanceId: 'i', logicals: ['a.b', 'c.d'] })).toMatchObject({
      acceptedLogicals: ['a.b'],
    });
  });
});

describe('hello request bodies', () => {
  it('accepts the TS casing (snake_case envelope, camelCase frame) and the Python casing', () => {
    const ts = exchange('welcome_service_client_hello').request.body;
    const python = {
      version: '1.0',
      id: 'x1',
      trace_id: 't1',
      frame: {
        type: 'NodeHello',
        system_id: 'agent-b',
        instance_id: 'inst-0001',
        logicals: ['fame.fabric'],
        supported_transports: ['websocket'],
      },
    };
    expect(helloFromRequestBody(python)).toEqual(helloFromRequestBody(ts));
  });

  it.each([
    ['not an object', [1], 'Invalid hello envelope'],
    ['another frame', exchange('hello_wrong_frame_type').request.body, 'Envelope must contain a NodeHello frame'],
    ['no frame', { id: 'x' }, 'Envelope must contain a NodeHello frame'],
    ['no instance id', { frame: { type: 'NodeHello', systemId: 'x' } }, 'Invalid hello envelope: invalid envelope: /frame/instanceId'],
  ])('refuses %s (INVALID_HELLO)', (_what, body, message) => {
    expect(() => helloFromRequestBody(body)).toThrow(
      expect.objectContaining({ code: 'INVALID_HELLO', message: expect.stringContaining(message) as unknown }) as Error,
    );
  });
});

describe('static placement', () => {
  it('needs an id and an absolute path', () => {
    expect(() => staticPlacement({ targetSystemId: '', targetPhysicalPath: '/a' })).toThrow(/targetSystemId/);
    expect(() => staticPlacement({ targetSystemId: 'a', targetPhysicalPath: 'a' })).toThrow(/absolute path/);
    expect(() => webSocketProvisioner({ url: 'http://x' })).toThrow(/ws:/);
    expect(() => httpProvisioner({ url: 'ws://x' })).toThrow(/http:/);
  });
});
