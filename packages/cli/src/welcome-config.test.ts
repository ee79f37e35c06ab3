import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFameConfig, welcomeConfigFrom } from './welcome-config.js';

const YAML = `
plugins: ['@naylence/runtime']
welcome:
  type: DefaultWelcomeService
  ttl_sec: 600
  placement:
    type: StaticNodePlacementStrategy
    target_system_id: \${env:SENTINEL_ID:sentinel-a}
    target_physical_path: /\${env:SENTINEL_ID:sentinel-a}
  transport:
    type: WebSocketTransportProvisioner
    url: ws://127.0.0.1:8000/fame/v1/attach/ws/downstream
  token_issuer:
    type: JWTTokenIssuer
    issuer: https://welcome.example
    ttl_sec: 900
  authorizer:
    type: SharedSecretAuthorizer
    secret: s3cret
`;

describe('the welcome section of FAME_CONFIG', () => {
  it('reads the reference YAML (plugins ignored, env expressions evaluated), from a file or inline', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'welcome-config-'));
    const file = path.join(dir, 'fame-config.yml');
    writeFileSync(file, YAML);
    for (const source of [file, YAML]) {
      const config = welcomeConfigFrom(loadFameConfig(source, { SENTINEL_ID: 'hub' }), {});
      expect(config).toMatchObject({
        ttlSec: 600,
        issuer: { issuer: 'https://welcome.example', ttlSec: 900, algorithm: 'EdDSA' },
        authorizerName: 'shared secret',
      });
      expect(await config.placement.place({ type: 'NodeHello', systemId: 'a', instanceId: 'i' }, {})).toMatchObject({
        assignedPath: '/hub/a',
        targetSystemId: 'hub',
      });
      expect(config.transports.map((t) => t.transport)).toEqual(['websocket']);
      expect(await config.authorizer!.authenticate('Bearer s3cret')).toMatchObject({ authenticated: true });
    }
  });

  it('reads JSON in camelCase, an HTTP provisioner, a transports list, an authorization profile from FAME_JWT_*', () => {
    const json = JSON.stringify({
      welcome: {
        placement: { targetSystemId: 's', targetPhysicalPath: '/s' },
        transports: [
          { type: 'HttpTransportProvisioner', url: 'http://127.0.0.1:8000/fame/v1/ingress/downstream' },
          { type: 'WebSocketTransportProvisioner', url: 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream' },
        ],
        tokenIssuer: { issuer: 'https://w' },
        authorizer: { type: 'AuthorizationProfile', profile: 'oauth2' },
      },
    });
    const env = { FAME_JWT_TRUSTED_ISSUER: 'https://auth.example', FAME_JWT_AUDIENCE: 'fame.fabric', FAME_JWT_ALGORITHM: 'EdDSA' };
    const config = welcomeConfigFrom(loadFameConfig(json, env), env);
    expect(config.transports.map((t) => t.transport)).toEqual(['http', 'websocket']);
    expect(config.authorizerName).toBe('profile oauth2');
  });

  it.each([
    ['no welcome section', 'node: {}', /no welcome section/],
    ['no placement', 'welcome: {transport: {url: "ws://x"}}', /placement is required/],
    ['no transport', 'welcome: {placement: {target_system_id: s, target_physical_path: /s}}', /transport is required/],
    ['an advanced service', 'welcome: {type: AdvancedWelcomeService}', /not supported/],
    [
      'an HMAC issuer',
      'welcome: {placement: {target_system_id: s, target_physical_path: /s}, transport: {url: "ws://x"}, token_issuer: {issuer: i, algorithm: HS256}}',
      /not HS256/,
    ],
    [
      'an unknown authorizer',
      'welcome: {placement: {target_system_id: s, target_physical_path: /s}, transport: {url: "ws://x"}, authorizer: {type: Magic}}',
      /unsupported type "Magic"/,
    ],
    [
      'an authorization profile without its variables',
      'welcome: {placement: {target_system_id: s, target_physical_path: /s}, transport: {url: "ws://x"}, authorizer: {type: AuthorizationProfile, profile: oauth2}}',
      /FAME_JWT_TRUSTED_ISSUER/,
    ],
    ['a missing file', './nowhere.yml', /no such file/],
    ['broken YAML', 'welcome: [', /not valid YAML/],
  ])('refuses %s', (_what, source, message) => {
    expect(() => welcomeConfigFrom(loadFameConfig(source, {}), {})).toThrow(message);
  });
});
