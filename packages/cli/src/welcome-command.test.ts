import { NOOP_LOGGER } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { WebSocketDialer } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { recordingIo } from './fixtures.test.util.js';
import { main } from './main.js';
import { WELCOME_USAGE } from './welcome-command.js';

const CONFIG = `
plugins: ['@naylence/runtime']
welcome:
  placement: {type: StaticNodePlacementStrategy, target_system_id: hub, target_physical_path: /hub}
  transport: {type: WebSocketTransportProvisioner, url: 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream'}
  token_issuer: {type: JWTTokenIssuer, issuer: 'https://welcome.example'}
  authorizer: {type: SharedSecretAuthorizer, secret: s3cret}
`;

describe('naylence welcome', () => {
  it('runs with the reference welcome server’s environment, prints READY and answers hellos', async () => {
    const stop = new AbortController();
    const r = recordingIo(stop.signal);
    const exit = main(
      ['welcome'],
      { FAME_APP_HOST: '127.0.0.1', FAME_APP_PORT: '0', FAME_CONFIG: CONFIG, FAME_LOG_LEVEL: 'OFF', FAME_SHOW_ENVELOPES: 'true' },
      r.io,
    );
    try {
      const url = await Promise.race([r.ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${r.stderr()}`)))]);
      expect(r.stdout()).toMatch(/issuer\s+https:\/\/welcome\.example/);
      expect(r.stdout()).toMatch(/callers\s+shared secret/);
      const hello = (authorization: string) =>
        fetch(`${url}/fame/v1/welcome/hello`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ frame: { type: 'NodeHello', systemId: 'a1', instanceId: 'i1', logicals: ['fame.fabric'] } }),
        });
      expect((await hello('Bearer wrong')).status).toBe(401);
      const answer = await hello('Bearer s3cret');
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ frame: { type: 'NodeWelcome', systemId: 'a1', assignedPath: '/hub/a1' } });
      expect(r.stdout()).toContain('"type":"NodeWelcome"');
      const jwks = (await (await fetch(`${url}/fame/welcome/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      expect(jwks.keys).toHaveLength(1);
    } finally {
      stop.abort('test');
    }
    expect(await exit).toBe(0);
  });

  it('prints help, exits 2 without a config or with a broken one', async () => {
    let r = recordingIo();
    expect(await main(['welcome', '--help'], {}, r.io)).toBe(0);
    expect(r.stdout()).toBe(WELCOME_USAGE);
    r = recordingIo();
    expect(await main(['welcome'], {}, r.io)).toBe(2);
    expect(r.stderr()).toContain('FAME_CONFIG (or --config) is required');
    r = recordingIo();
    expect(await main(['welcome', '--config', 'welcome: {transport: {url: "ws://x"}}'], {}, r.io)).toBe(2);
    expect(r.stderr()).toContain('welcome.placement is required');
  });
});

describe('naylence sentinel --http', () => {
  it('serves the HTTP ingress on the WebSocket port', async () => {
    const stop = new AbortController();
    const r = recordingIo(stop.signal);
    const exit = main(['sentinel', '--http', '--id', 'hub', '-p', '0'], { FAME_LOG_LEVEL: 'OFF' }, r.io);
    try {
      const url = await Promise.race([r.ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${r.stderr()}`)))]);
      const port = new URL(url).port;
      expect(r.stdout()).toContain(`http       http://127.0.0.1:${port}/fame/v1/ingress/downstream`);
      const health = await fetch(`http://127.0.0.1:${port}/fame/v1/ingress/health`);
      expect(await health.json()).toMatchObject({ status: 'healthy', listenerType: 'HttpListener' });
      await using client = await createFabric({ logger: NOOP_LOGGER, env: {}, connect: new WebSocketDialer({ url }) });
      expect(client.physicalPath).toBe(`/hub/${client.node.systemId}`);
    } finally {
      stop.abort('test');
    }
    expect(await exit).toBe(0);
  });
});
