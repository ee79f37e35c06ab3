/**
 * The `browser` export condition's file, as built (`pnpm build` writes it; the full check builds
 * before it tests): it imports nothing outside `naylence.browserDependencies` (no `jose`,
 * `undici` or Node built-in), and it works: noble crypto signs, verifies, seals and runs secure
 * channels, the profile registry names the JWT authorization profiles without building them,
 * `FAME_PLUGINS` modules load with `import()`, and the client-credentials provider fetches a token
 * with the global `fetch`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEnvelope } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { sendJson, startServer } from './http-fixtures.test.util.js';
import type * as BrowserEntryModule from './index.browser.js';
import * as nodeEntry from './index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = path.join(root, 'dist/index.browser.bundle.js');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  naylence: { browserDependencies: string[] };
};

function bundleText(): string {
  try {
    return readFileSync(bundlePath, 'utf8');
  } catch {
    throw new Error(`${bundlePath} is missing: run \`pnpm build\` first`);
  }
}

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

type BrowserEntry = typeof BrowserEntryModule;

describe('browser bundle', () => {
  it('imports only @naylence/core and @noble/*', () => {
    const specifiers = [...bundleText().matchAll(/(?:from\s*|import\()"([^"]+)"/g)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect([...new Set(specifiers.map(packageOf))].sort()).toEqual([...pkg.naylence.browserDependencies].sort());
    expect(specifiers.filter((s) => /^(node:|jose|undici)/.test(s))).toEqual([]);
  });

  it('exports a subset of the Node entry, without JWT verification', async () => {
    const browser = (await import(pathToFileURL(bundlePath).href)) as BrowserEntry;
    const names = Object.keys(browser);
    expect(names.filter((name) => !(name in nodeEntry))).toEqual([]);
    for (const nodeOnly of ['createJwtIssuer', 'createJwksVerifier', 'oauth2Authorizer', 'authorizationProfiles']) {
      expect(names).not.toContain(nodeOnly);
      expect(Object.keys(nodeEntry)).toContain(nodeOnly);
    }
  });

  it('signs and verifies with noble, resolves profiles without building JWT authorizers, fetches tokens with global fetch', async () => {
    const browser = (await import(pathToFileURL(bundlePath).href)) as BrowserEntry;
    const provider = browser.defaultCryptoProvider();
    expect(provider.name).toBe('noble');
    const keys = new browser.NodeKeys({ provider });
    const signed = keys.envelopeSigner('/s/agent').sign(createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: 1 } }));
    const store = new browser.KeyStore({ provider });
    store.addKeys(keys.shareableKeys(), '/s/agent');
    expect(new browser.EnvelopeVerifier({ provider, keys: store }).verify(signed, 'final').physicalPath).toBe('/s/agent');

    expect(() => browser.resolveSecurityProfile({ profile: 'gated', env: {} })).toThrow(
      expect.objectContaining({ code: 'NOT_REGISTERED', message: expect.stringMatching(/"oauth2-gated" \(known: noop\)/) }),
    );
    const client = browser.resolveSecurityProfile({ profile: 'overlay', env: {}, buildAuthorizer: false });
    expect(client).toMatchObject({ authorizerProfile: 'oauth2', authorizer: undefined });
    expect(client.requirements.signingRequired).toBe(true);

    await using server = await startServer((_req, res) =>
      sendJson(res, 200, { access_token: 'tok', token_type: 'Bearer', expires_in: 60 }),
    );
    const tokens = browser.oauth2ClientCredentialsTokenProvider({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: 'c',
      clientSecret: 's',
    });
    expect((await tokens.getToken()).value).toBe('tok');
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/oauth/token' });
    expect(new URLSearchParams(server.requests[0]!.body).get('grant_type')).toBe('client_credentials');
  });

  it('seals, opens and runs secure channels with noble', async () => {
    const browser = (await import(pathToFileURL(bundlePath).href)) as BrowserEntry;
    const provider = browser.defaultCryptoProvider();
    const request = createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: { x: 3 } } });
    const recipient = new browser.NodeKeys({ provider });
    const sealed = browser.sealEnvelope(provider, request, {
      recipientPublicKey: recipient.encryptionPublicKey,
      recipientKid: recipient.encryptionKid,
    });
    expect(sealed.frame).not.toEqual(request.frame);
    expect(browser.openSealedEnvelope(provider, sealed, recipient).frame).toMatchObject({ payload: { x: 3 } });

    const client = new browser.DefaultSecureChannelManager({ provider });
    const server = new browser.DefaultSecureChannelManager({ provider });
    const open = client.open('math@fame.fabric');
    client.handleAccept(server.handleOpen(open)!);
    const onChannel = client.encrypt(request, open.cid);
    expect(server.decrypt(onChannel).frame).toMatchObject({ payload: { x: 3 } });
    expect(() => server.decrypt(onChannel)).toThrow(expect.objectContaining({ code: 'REPLAY_DETECTED' }));
  });

  it('loads FAME_PLUGINS with import() into the one profile registry, failing closed', async () => {
    const browser = (await import(pathToFileURL(bundlePath).href)) as BrowserEntry;
    const registry = { profiles: browser.createProfileRegistry(), components: new browser.SecurityComponentRegistry() };
    // Plug-in modules as files, named by file URL (no bare names: there is no package resolution here).
    const dir = mkdtempSync(path.join(tmpdir(), 'naylence-browser-plugins-'));
    using _cleanup = { [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
    const moduleUrl = (name: string, source: string) => {
      writeFileSync(path.join(dir, `${name}.mjs`), source);
      return pathToFileURL(path.join(dir, `${name}.mjs`)).href;
    };
    const plugin = moduleUrl(
      'door',
      `export default { name: 'browser-test', register({ profiles }) {
        profiles.registerAuthorizer('open-door', () => ({ authenticate: async () => ({ authenticated: true }) }));
        profiles.register('SecurityManagerFactory', 'door', { security_policy: { type: 'NoSecurityPolicy' }, authorizer: { type: 'AuthorizationProfile', profile: 'open-door' } });
      } };`,
    );
    expect(await browser.loadSecurityPlugins({ plugins: plugin, registry })).toMatchObject([{ name: 'browser-test' }]);
    const door = browser.resolveSecurityProfile({ profile: 'door', env: {}, registry: registry.profiles, components: registry.components });
    expect(door.authorizerProfile).toBe('open-door');
    expect(await door.authorizer.authenticate(undefined)).toEqual({ authenticated: true });

    await expect(browser.loadSecurityPlugins({ plugins: moduleUrl('empty', 'export default {};'), registry })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/exports no plug-in object/) }),
    );
  });
});
