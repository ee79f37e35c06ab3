import { describe, expect, it } from 'vitest';
import { camelCaseKeys } from './casing.js';
import { parseWelcomeEnvelope } from './welcome.js';
import { exchange, welcomeVectors } from './welcome-vectors.test.util.js';

describe('reading welcomes', () => {
  it('parses the reference welcome service’s answer: id, path, target, logicals, the attach grant, expiry', () => {
    const welcome = parseWelcomeEnvelope(exchange('welcome_service_client_hello').response.body);
    expect(welcome).toMatchObject({
      systemId: 'agent-b',
      instanceId: 'inst-0001',
      assignedPath: '/sentinel-a/agent-b',
      targetSystemId: 'sentinel-a',
      targetPhysicalPath: '/sentinel-a',
      acceptedLogicals: ['fame.fabric'],
      metadata: { instanceId: 'inst-0001' },
    });
    expect(welcome.expiresAt?.toISOString()).toBe('2026-11-24T05:07:14.558Z');
    expect(welcome.connectionGrants).toHaveLength(1);
    expect(welcome.connectionGrants[0]).toMatchObject({
      type: 'WebSocketConnectionGrant',
      purpose: 'node.attach',
      url: 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream',
      auth: { type: 'WebSocketSubprotocolAuth', tokenProvider: { type: 'StaticTokenProvider' } },
    });
  });

  it('parses the root answer (no target, no grants), and the direct and noop welcomes', () => {
    expect(parseWelcomeEnvelope(exchange('hello_root_sentinel_itself').response.body)).toMatchObject({
      systemId: 'sentinel-a',
      assignedPath: '/sentinel-a',
      connectionGrants: [],
    });
    const direct = parseWelcomeEnvelope(welcomeVectors.direct_admission_client_welcome_envelope);
    expect(direct.connectionGrants[0]).toMatchObject({ raw: { ttl: 0, durable: false }, auth: { tokenProvider: { token: 'abc' } } });
    expect(parseWelcomeEnvelope(welcomeVectors.noop_admission_client_welcome_envelope)).toMatchObject({
      systemId: 'agent-d',
      connectionGrants: [],
    });
  });

  it('reads a snake_case answer (a Python service, or grant auth written as token_provider)', () => {
    const camel = exchange('welcome_service_client_hello').response.body;
    const snake = JSON.parse(
      JSON.stringify(camel).replace(
        /"([a-z]+)([A-Z][a-zA-Z]*)":/g,
        (_m, a: string, b: string) => `"${a}${b.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}":`,
      ),
    ) as object;
    expect(JSON.stringify(snake)).toContain('"token_provider"');
    expect(parseWelcomeEnvelope(snake)).toEqual(parseWelcomeEnvelope(camel));
    expect(camelCaseKeys({ a_b: 1, aB: 2 })).toEqual({ aB: 2 });
  });

  it.each([
    ['not an object', 'x', /JSON object/],
    ['another frame', { frame: { type: 'NodeAttach', systemId: 'x', instanceId: 'i' } }, /unexpected frame type NodeAttach/],
    ['an invalid welcome', { frame: { type: 'NodeWelcome', systemId: 5, instanceId: 'i' } }, /invalid NodeWelcome/],
    [
      'a bad grant',
      { frame: { type: 'NodeWelcome', systemId: 'x', instanceId: 'i', connectionGrants: [{ url: 'ws://x' }] } },
      /unusable grant/,
    ],
  ])('refuses %s with ADMISSION_FAILED', (_what, body, message) => {
    expect(() => parseWelcomeEnvelope(body)).toThrow(message);
    try {
      parseWelcomeEnvelope(body);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ADMISSION_FAILED' });
    }
  });
});
