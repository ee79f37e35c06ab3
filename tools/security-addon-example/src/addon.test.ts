/**
 * The example add-on as a node would use it, at library level: loaded from FAME_PLUGINS, its
 * `strict-overlay` profile resolved, its components built from the profile, certificates made
 * by openssl checked (chain, anchor, name constraints, sid, validity), and channel encryption
 * chosen by default. End to end over a sentinel and two agents: `strict-overlay.e2e.test.ts`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvelope, type FameEnvelope, type SecureAcceptFrame, type SecureOpenFrame } from '@naylence/core';
import {
  BUILT_IN_SECURITY_PROFILES,
  ChannelEncryptionManager,
  CompositeEncryptionManager,
  DefaultSecurityPolicy,
  DefaultSecureChannelManager,
  KeyStore,
  NodeKeys,
  SECURITY_PROFILE_BASE_TYPE,
  SecurityComponentRegistry,
  createProfileRegistry,
  defaultCryptoProvider,
  loadSecurityPlugins,
  resolveSecurityProfile,
  secureDigestSync,
  type EncryptionHost,
  type SecurityPluginRegistry,
} from '@naylence/security';
import { STRICT_OVERLAY } from './strict-overlay-profile.js';
import { X509KeyValidator } from './x509-key-validator.js';
import { certificateSid, parsePemCertificates } from './certificates.js';
import { StaticCertificateManager } from './static-certificate-manager.js';
import { createTestPki } from './test-pki.test.util.js';

const provider = defaultCryptoProvider();
const pki = createTestPki();
afterAll(() => pki[Symbol.dispose]());

const PATH_A = '/sentinel/a';
const PATH_B = '/sentinel/b';
const sid = (path: string) => secureDigestSync(provider, path);

/** A node's keys with a certificate for its path's sid (or as told). */
function certifiedNode(path: string, options: Partial<Parameters<typeof pki.issueChain>[1]> = {}) {
  const keys = new NodeKeys({ provider });
  const chainPem = pki.issueChain(keys, { sid: sid(path), ...options });
  keys.setCertificateChain(new StaticCertificateManager(chainPem).certificateChain());
  return { keys, chainPem, signer: keys.envelopeSigner(path) };
}

async function loaded(env: Record<string, string> = {}) {
  const registry: SecurityPluginRegistry = { profiles: createProfileRegistry(), components: new SecurityComponentRegistry() };
  const plugins = await loadSecurityPlugins({
    env: { FAME_PLUGINS: '@naylence-tools/security-addon-example', ...env },
    registry,
    importer: (specifier) => import(specifier) as Promise<Record<string, unknown>>,
  });
  return { registry, plugins };
}

function strictOverlay(registry: SecurityPluginRegistry, env: Record<string, string>) {
  return resolveSecurityProfile({
    env: { FAME_SECURITY_PROFILE: 'strict-overlay', FAME_AUTHORIZATION_PROFILE: 'noop', ...env },
    registry: registry.profiles,
    components: registry.components,
    supports: { encryption: true },
  });
}

/** The verifying side of node B: a key store that vets keys and the profile's verifier. */
function verifyingNode(registry: SecurityPluginRegistry, env: Record<string, string>) {
  const resolved = strictOverlay(registry, env);
  const base = { provider, env, policy: resolved.policy, components: {} };
  const keyValidator = registry.components.create('KeyValidator', resolved.components.KeyValidator!, base);
  const keyStore = new KeyStore({ provider, validator: keyValidator });
  const verifier = registry.components.create('EnvelopeVerifier', resolved.components.EnvelopeVerifier!, {
    ...base,
    keyStore,
    components: { KeyValidator: keyValidator },
  });
  return { resolved, keyStore, verifier };
}

const request = (): FameEnvelope =>
  createEnvelope({ to: 'math@fame.fabric', replyTo: 'client@/sentinel/a', frame: { type: 'Data', payload: { op: 'add', args: [1, 2] } } });

describe('the example add-on', () => {
  it('loads from FAME_PLUGINS and registers strict-overlay with its components', async () => {
    const { registry, plugins } = await loaded();
    expect(plugins).toEqual([
      { specifier: '@naylence-tools/security-addon-example', name: '@naylence-tools/security-addon-example', version: '0.0.0' },
    ]);
    const resolved = strictOverlay(registry, { FAME_CA_CERTS: pki.rootPem });
    expect(resolved.requirements).toMatchObject({ requireCertificates: true, encryptionRequired: true, decryptionRequired: true });
    expect(Object.keys(resolved.components).sort()).toEqual(['CertificateManager', 'EnvelopeVerifier', 'KeyValidator']);
    // The §1.2 table's strict-overlay column.
    const policy = resolved.policy as DefaultSecurityPolicy;
    expect(policy).toBeInstanceOf(DefaultSecurityPolicy);
    expect(policy.signing).toMatchObject({
      signingMaterial: 'x509-chain',
      requireCertSidMatch: true,
      inbound: { signaturePolicy: 'required', unsignedViolationAction: 'nack', invalidSignatureAction: 'nack' },
      response: { mirrorRequestSigning: true, alwaysSignResponses: false, signErrorResponses: true },
      outbound: { defaultSigning: true, signSensitiveOperations: true, signIfRecipientExpects: true },
    });
    expect(policy.encryption).toMatchObject({
      inbound: { allowPlaintext: true, allowChannel: true, allowSealed: true },
      response: { mirrorRequestLevel: true, minimumResponseLevel: 'plaintext', escalateSealedResponses: false },
      outbound: { defaultLevel: 'channel', escalateIfPeerSupports: false, preferSealedForSensitive: false },
    });
    // The authorizer comes built from the same profile registry: FAME_AUTHORIZATION_PROFILE here.
    expect(resolved.authorizerProfile).toBe('noop');
    expect(await resolved.authorizer.authenticate(undefined)).toMatchObject({ authenticated: true, authMethod: 'noop' });
    // The profile's default is jwt, which needs its issuer and JWKS: without them the node does not start.
    expect(() =>
      resolveSecurityProfile({
        profile: 'strict-overlay',
        env: {},
        registry: registry.profiles,
        components: registry.components,
        supports: { encryption: true },
      }),
    ).toThrow(/authorization profile "jwt" \(FAME_AUTHORIZATION_PROFILE\): FAME_JWT_TRUSTED_ISSUER is required/);
    // Without encryption support in the node, the profile is refused (fail closed).
    expect(() =>
      resolveSecurityProfile({
        profile: 'strict-overlay',
        env: { FAME_AUTHORIZATION_PROFILE: 'noop' },
        registry: registry.profiles,
        components: registry.components,
      }),
    ).toThrow(/requires envelope encryption/);
  });

  it('registers through the one profile registry, which never lets a name be taken silently', async () => {
    // strict-overlay already taken (say, by another add-on): loading this one fails closed.
    const registry: SecurityPluginRegistry = { profiles: createProfileRegistry(), components: new SecurityComponentRegistry() };
    registry.profiles.register(
      SECURITY_PROFILE_BASE_TYPE,
      'strict-overlay',
      { security_policy: { type: 'NoSecurityPolicy' } },
      { source: 'other' },
    );
    await expect(
      loadSecurityPlugins({
        plugins: '@naylence-tools/security-addon-example',
        registry,
        importer: (specifier) => import(specifier) as Promise<Record<string, unknown>>,
      }),
    ).rejects.toThrow(
      /failed to register: SecurityManagerFactory profile \(from other\) "strict-overlay" is already registered; refusing to start/,
    );
    // An application may replace the add-on's profile, but only by saying so.
    const { registry: loadedRegistry } = await loaded();
    const plain = { ...BUILT_IN_SECURITY_PROFILES.overlay, authorizer: { type: 'AuthorizationProfile', profile: 'noop' } };
    expect(() => loadedRegistry.profiles.register(SECURITY_PROFILE_BASE_TYPE, STRICT_OVERLAY, plain)).toThrow(
      /SecurityManagerFactory profile \(from @naylence-tools\/security-addon-example\) "strict-overlay" is already registered/,
    );
    loadedRegistry.profiles.register(SECURITY_PROFILE_BASE_TYPE, STRICT_OVERLAY, plain, { allowOverride: true, source: 'app' });
    const replaced = resolveSecurityProfile({
      profile: STRICT_OVERLAY,
      env: {},
      registry: loadedRegistry.profiles,
      components: loadedRegistry.components,
    });
    expect(replaced.requirements.requireCertificates).toBe(false);
    expect(replaced.components).toEqual({});
  });

  it('refuses to build its components without a trust store or a certificate chain', async () => {
    const { registry } = await loaded();
    const resolved = strictOverlay(registry, {});
    const context = { provider, env: {}, policy: resolved.policy, components: {} };
    expect(() => registry.components.create('KeyValidator', resolved.components.KeyValidator!, context)).toThrow(
      /FAME_CA_CERTS is not set: strict-overlay needs it; refusing to start/,
    );
    expect(() => registry.components.create('CertificateManager', resolved.components.CertificateManager!, context)).toThrow(
      /FAME_NODE_CERT_CHAIN is not set/,
    );
    expect(() => registry.components.create('EnvelopeVerifier', resolved.components.EnvelopeVerifier!, context)).toThrow(
      /needs the node key store/,
    );
  });

  it('verifies envelopes signed with certified keys, and publishes the chain as x5c', async () => {
    const { registry } = await loaded();
    const a = certifiedNode(PATH_A);
    expect(a.keys.signingJwk().x5c).toHaveLength(2); // leaf, intermediate
    expect(a.keys.signingJwk().kid).toBe(a.keys.signingKid);
    expect(certificateSid(parsePemCertificates(a.chainPem)[0]!)).toBe(sid(PATH_A));
    const b = verifyingNode(registry, { FAME_CA_CERTS: pki.rootPem });
    expect(b.keyStore.addKeys(a.keys.shareableKeys(), PATH_A).rejected).toEqual([]);
    const signed = a.signer.sign(request());
    expect(b.verifier.verify(signed, 'final')).toMatchObject({ physicalPath: PATH_A, sid: sid(PATH_A) });
  });

  it('refuses keys whose chain is untrusted, outside the name constraints, for another key, or missing', async () => {
    const { registry } = await loaded();
    const b = verifyingNode(registry, { FAME_CA_CERTS: pki.rootPem });
    const rogue = certifiedNode(PATH_A, { issuer: 'rogue' });
    const outside = certifiedNode(PATH_A, { uri: `spiffe://evil.test/nodes/${sid(PATH_A)}` });
    const stolen = { ...new NodeKeys({ provider }).signingJwk(), x5c: certifiedNode(PATH_A).keys.signingJwk().x5c };
    const bare = new NodeKeys({ provider });
    const reasons = [rogue.keys.signingJwk(), outside.keys.signingJwk(), stolen, bare.signingJwk()].map(
      (jwk) => b.keyStore.addKeys([jwk], PATH_A).rejected[0]?.reason,
    );
    expect(reasons).toEqual([
      expect.stringMatching(/does not end at a trusted anchor/),
      expect.stringMatching(/URI spiffe:\/\/evil\.test\/nodes\/\S+ is outside the names .*Naylence Test Root may certify/),
      expect.stringMatching(/the leaf certificate is for another key/),
      'signing key without a certificate chain (x5c)',
    ]);
    // Encryption keys carry no certificate and are stored.
    expect(b.keyStore.addKeys([bare.encryptionJwk()], PATH_A).rejected).toEqual([]);
  });

  it('require_cert_sid_match: a certificate for another node does not sign for this one', async () => {
    const { registry } = await loaded();
    const b = verifyingNode(registry, { FAME_CA_CERTS: pki.rootPem });
    // A valid certificate, but issued for /sentinel/x's sid, presented as /sentinel/a's key.
    const impostor = certifiedNode(PATH_A, { sid: sid('/sentinel/x') });
    expect(b.keyStore.addKeys(impostor.keys.shareableKeys(), PATH_A).rejected).toEqual([]);
    expect(() => b.verifier.verify(impostor.signer.sign(request()), 'hop')).toThrow(
      expect.objectContaining({
        code: 'SIGNATURE_INVALID',
        failure: 'certificate_invalid',
        message: expect.stringMatching(/certificate sid/),
      }),
    );
  });

  it('re-checks validity: an expired certificate stops verifying', () => {
    let now = new Date();
    const validator = new X509KeyValidator({ trustAnchors: parsePemCertificates(pki.rootPem), now: () => now });
    const keyStore = new KeyStore({ provider, validator });
    const a = certifiedNode(PATH_A);
    keyStore.addKeys(a.keys.shareableKeys(), PATH_A);
    const record = keyStore.getKey(a.keys.signingKid, PATH_A)!;
    const signed = a.signer.sign(request());
    expect(() => validator.checkSigningKey(record, signed)).not.toThrow();
    now = new Date(Date.now() + 60 * 86_400_000); // the leaf lives 30 days
    expect(() => validator.checkSigningKey(record, signed)).toThrow(/is not valid at/);
    expect(validator.validateKey(a.keys.signingJwk())).toMatchObject({ ok: false });
  });

  it('encrypts on a channel by default (FAME_DEFAULT_ENCRYPTION_LEVEL selects sealed), signed by certified keys', async () => {
    const { registry } = await loaded();
    const env = { FAME_CA_CERTS: pki.rootPem };
    const b = verifyingNode(registry, env);
    const a = certifiedNode(PATH_A);
    b.keyStore.addKeys(a.keys.shareableKeys(), PATH_A);
    expect(
      strictOverlay(registry, { ...env, FAME_DEFAULT_ENCRYPTION_LEVEL: 'sealed' }).policy.decideOutboundCryptoLevel(request(), {
        origin: 'local',
      }),
    ).toBe('sealed');

    // Node A's channel side, and node B's, wired back to back.
    const sentByA: FameEnvelope[] = [];
    const sentByB: FameEnvelope[] = [];
    const host = (sent: FameEnvelope[], path: string): EncryptionHost => ({
      physicalPath: () => path,
      send: (envelope) => void sent.push(envelope),
      sendUpstream: (envelope) => void sent.push(envelope),
    });
    const channelA = new ChannelEncryptionManager({ channels: new DefaultSecureChannelManager({ provider }), host: host(sentByA, PATH_A) });
    const channelB = new ChannelEncryptionManager({ channels: new DefaultSecureChannelManager({ provider }), host: host(sentByB, PATH_B) });
    const encryptionA = new CompositeEncryptionManager({ policy: b.resolved.policy, channel: channelA });
    const encryptionB = new CompositeEncryptionManager({ policy: b.resolved.policy, channel: channelB });

    expect(encryptionA.levelFor(request())).toBe('channel');
    const signed = a.signer.sign(request());
    expect(await encryptionA.encrypt(signed)).toEqual({ status: 'QUEUED' });
    const open = sentByA[0] as FameEnvelope<SecureOpenFrame>;
    channelB.handleSecureOpen(a.signer.sign(open));
    channelA.handleSecureAccept(sentByB[0] as FameEnvelope<SecureAcceptFrame>);
    const wire = sentByA[1]!;
    expect(wire.sec?.enc?.alg).toBe('chacha20-poly1305-channel');
    expect(b.verifier.verify(wire, 'hop').physicalPath).toBe(PATH_A);
    const delivered = await encryptionB.decrypt(wire);
    expect(b.verifier.verify(delivered, 'final').physicalPath).toBe(PATH_A);
    expect(delivered.frame).toMatchObject({ payload: { op: 'add', args: [1, 2] } });
  });
});
