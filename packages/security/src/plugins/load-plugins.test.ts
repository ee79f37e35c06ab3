import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { DefaultSecurityPolicy } from '../policy/default-security-policy.js';
import { BUILT_IN_SECURITY_PROFILES, SECURITY_PROFILE_BASE_TYPE, createProfileRegistry } from '../policy/profiles.js';
import { resolveSecurityProfile } from '../policy/resolve-profile.js';
import { EnvelopeVerifier } from '../signing/envelope-verifier.js';
import { SecurityComponentRegistry } from './component-registry.js';
import { loadSecurityPlugins, parsePluginList, type SecurityPluginRegistry } from './load-plugins.js';

// Plug-in modules as real files, imported by file URL the way FAME_PLUGINS would name them.
const dir = mkdtempSync(path.join(tmpdir(), 'naylence-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function moduleFile(name: string, source: string): string {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return pathToFileURL(file).href;
}

const GOOD = moduleFile(
  'good',
  `let calls = 0;
export default {
  name: 'example:good',
  version: '1.2.3',
  register(registry) {
    calls++;
    globalThis.__goodPluginCalls = calls;
    registry.profiles.register('SecurityManagerFactory', 'good-overlay', { type: 'DefaultSecurityManager', security_policy: { type: 'NoSecurityPolicy' } });
    registry.components.register('EnvelopeVerifier', 'GoodVerifier', () => ({ verify: () => ({ kid: 'k', sid: 's', physicalPath: '/p' }) }));
    registry.profiles.registerAuthorizer('Good_Auth', () => ({ authenticate: async () => undefined, authorizeAttach: async () => false }));
  },
};`,
);
const NAMED_EXPORT = moduleFile('named', `export const plugin = { name: 'example:named', register() {} };`);
const NOT_A_PLUGIN = moduleFile('not-a-plugin', `export default { name: 'nothing to register' };`);
const THROWS = moduleFile('throws', `export default { name: 'example:throws', register() { throw new Error('boom'); } };`);
const DUPLICATE = moduleFile(
  'duplicate',
  `export default { name: 'example:duplicate', register(r) { r.profiles.register('SecurityManagerFactory', 'overlay', {}); } };`,
);

function registries(): SecurityPluginRegistry {
  return { profiles: createProfileRegistry(), components: new SecurityComponentRegistry() };
}

describe('loadSecurityPlugins', () => {
  it('parses FAME_PLUGINS the reference way', () => {
    expect(parsePluginList(' a, b  c,,a\n@scope/d ')).toEqual(['a', 'b', 'c', '@scope/d']);
    expect(parsePluginList(undefined)).toEqual([]);
  });

  it('loads the named plug-ins (default or `plugin` export) once per registry, skipping the reference runtime', async () => {
    const registry = registries();
    const env = { FAME_PLUGINS: `@naylence/runtime, ${GOOD} ${NAMED_EXPORT},@naylence/agent-sdk` };
    expect(await loadSecurityPlugins({ env, registry })).toEqual([
      { specifier: GOOD, name: 'example:good', version: '1.2.3' },
      { specifier: NAMED_EXPORT, name: 'example:named', version: undefined },
    ]);
    expect(registry.profiles.names(SECURITY_PROFILE_BASE_TYPE)).toContain('good-overlay');
    expect(registry.components.types('EnvelopeVerifier')).toEqual(['GoodVerifier']);
    expect(registry.profiles.authorizerNames()).toContain('good-auth'); // one registry, canonical names
    await loadSecurityPlugins({ env, registry });
    expect((globalThis as { __goodPluginCalls?: number }).__goodPluginCalls).toBe(1);
    expect(await loadSecurityPlugins({ env: {}, registry })).toEqual([]);
  });

  it('fails closed when a named plug-in cannot be loaded, is not a plug-in, or fails to register', async () => {
    const cases: [string, RegExp][] = [
      [pathToFileURL(path.join(dir, 'absent.mjs')).href, /absent\.mjs", which cannot be imported/],
      ['@naylence-tools/no-such-plugin', /"@naylence-tools\/no-such-plugin", which cannot be imported/],
      [NOT_A_PLUGIN, /exports no plug-in object with a register\(\) function/],
      [THROWS, /failed to register: boom; refusing to start/],
      // A plug-in may not silently replace a built-in profile (allowOverride is needed).
      [DUPLICATE, /failed to register: SecurityManagerFactory profile \(from @naylence\/security\) "overlay" is already registered/],
    ];
    for (const [plugin, message] of cases) {
      await expect(loadSecurityPlugins({ plugins: plugin, registry: registries() })).rejects.toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(message) }),
      );
    }
  });

  it('imports <package>/plugin first, then the package itself', async () => {
    const tried: string[] = [];
    const importer = async (specifier: string) => {
      tried.push(specifier);
      if (specifier.endsWith('/plugin')) throw Object.assign(new Error('not exported'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
      return { default: { name: 'pkg', register: () => {} } };
    };
    await loadSecurityPlugins({ plugins: '@acme/security', registry: registries(), importer });
    expect(tried).toEqual(['@acme/security/plugin', '@acme/security']);
    // A plug-in module that exists but fails while loading is not papered over by the fallback.
    const broken = async () => {
      throw new SyntaxError('Unexpected token');
    };
    await expect(loadSecurityPlugins({ plugins: 'acme', registry: registries(), importer: broken })).rejects.toThrow(/Unexpected token/);
  });
});

describe('profiles naming plug-in components', () => {
  it('resolve to registered component types and fail closed on unregistered ones', () => {
    const registry = registries();
    registry.components.register('KeyValidator', 'StrictValidator', () => ({ validateKey: () => ({ ok: true }) }));
    registry.components.register('EnvelopeVerifier', 'StrictVerifier', (context) => {
      return new EnvelopeVerifier({ provider: context.provider, keys: context.keyStore!, keyValidator: context.components.KeyValidator! });
    });
    // The plug-in's authorizer is an authorization profile in the same profile registry.
    const authorizer = { authenticate: async () => undefined, authorizeAttach: async () => false };
    registry.profiles.registerAuthorizer('strict-auth', () => authorizer);
    const template = {
      ...BUILT_IN_SECURITY_PROFILES.overlay,
      authorizer: { type: 'AuthorizationProfile', profile: 'strict_auth' },
      security_policy: { type: 'DefaultSecurityPolicy', signing: { signing_material: 'x509-chain', require_cert_sid_match: true } },
      envelope_verifier: { type: 'StrictVerifier', strict: '${env:STRICTNESS:high}' },
      key_validator: { type: 'StrictValidator' },
    };
    registry.profiles.register(SECURITY_PROFILE_BASE_TYPE, 'strict', template);
    const resolved = resolveSecurityProfile({ profile: 'strict', env: {}, registry: registry.profiles, components: registry.components });
    expect(resolved.requirements.requireCertificates).toBe(true); // met by the profile's own components
    expect(resolved.authorizerProfile).toBe('strict-auth');
    expect(resolved.authorizer).toBe(authorizer);
    expect(resolved.components).toEqual({
      EnvelopeVerifier: { type: 'StrictVerifier', config: { strict: 'high' } },
      KeyValidator: { type: 'StrictValidator', config: {} },
    });
    const context = {
      provider,
      env: {},
      policy: resolved.policy,
      components: {},
      keyStore: new KeyStore({ provider }),
      nodeKeys: new NodeKeys({ provider }),
    };
    const keyValidator = registry.components.create('KeyValidator', resolved.components.KeyValidator!, context);
    const verifier = registry.components.create('EnvelopeVerifier', resolved.components.EnvelopeVerifier!, {
      ...context,
      components: { KeyValidator: keyValidator },
    });
    expect(verifier).toBeInstanceOf(EnvelopeVerifier);

    registry.profiles.register(SECURITY_PROFILE_BASE_TYPE, 'broken', { ...template, key_validator: { type: 'Missing' } });
    expect(() =>
      resolveSecurityProfile({ profile: 'broken', env: {}, registry: registry.profiles, components: registry.components }),
    ).toThrow(
      /key_validator type "Missing" is not registered \(registered: StrictValidator; is its plug-in in FAME_PLUGINS\?\); refusing to start/,
    );
    // Without its own certificate components, x509-chain needs the node to support certificates.
    registry.profiles.register(SECURITY_PROFILE_BASE_TYPE, 'bare', { ...template, envelope_verifier: undefined, key_validator: undefined });
    expect(() =>
      resolveSecurityProfile({ profile: 'bare', env: {}, registry: registry.profiles, components: registry.components }),
    ).toThrow(/requires X\.509 signing material/);
    expect(() => registry.components.register('KeyValidator', 'StrictValidator', () => ({ validateKey: () => ({ ok: true }) }))).toThrow(
      /KeyValidator factory "StrictValidator" is already registered/,
    );
    expect(new DefaultSecurityPolicy().requirements().requireCertificates).toBe(false);
  });
});
