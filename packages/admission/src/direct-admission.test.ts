import { staticTokenProvider } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { directAdmissionClient } from './direct-admission.js';
import { identityPolicyProfile, tokenSubjectIdentityPolicy, withSubjectPrefix } from './identity-policy.js';
import { noopAdmissionClient } from './noop-admission.js';
import { welcomeVectors } from './welcome-vectors.test.util.js';

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const recordedDirect = welcomeVectors.direct_admission_client_welcome_envelope.frame as Record<string, unknown>;

describe('direct admission', () => {
  it('builds the welcome the reference builds: id, logicals, the grants as configured, one day of validity', async () => {
    const client = directAdmissionClient({ grants: recordedDirect.connectionGrants as unknown[] });
    const before = Date.now();
    const { welcome, authOf } = await client.hello({ systemId: 'agent-c', instanceId: 'inst-9', logicals: ['fame.fabric'] });
    const { expiresAt: _e, ...frame } = welcome.frame;
    const { expiresAt: _r, ...recorded } = recordedDirect;
    expect(frame).toEqual(recorded);
    expect(welcome.expiresAt!.getTime() - before).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(welcome.assignedPath).toBeUndefined();
    // One credentials object per grant, reused by every admission.
    const again = await client.hello({ systemId: 'agent-c', instanceId: 'inst-10' });
    expect(again.authOf(again.welcome.connectionGrants[0]!)).toBe(authOf(welcome.connectionGrants[0]!));
    expect(again.welcome.acceptedLogicals).toEqual(['*']);
  });

  it('refuses no grants, a bad grant, an unusable auth config and an out-of-range ttl at construction', () => {
    expect(() => directAdmissionClient({ grants: [] })).toThrow(/at least one/);
    expect(() => directAdmissionClient({ grants: [{ url: 'ws://x' }] })).toThrow(/needs a type/);
    expect(() => directAdmissionClient({ grants: [{ type: 'WebSocketConnectionGrant', auth: { type: 'Magic' } }] })).toThrow(
      /unknown auth strategy/,
    );
    const grant = { type: 'WebSocketConnectionGrant', url: 'ws://x' };
    expect(() => directAdmissionClient({ grants: [grant], ttlSec: 30 })).toThrow(/60 s/);
    expect(() => directAdmissionClient({ grants: [grant], ttlSec: 8 * 86_400 })).toThrow(/60 s/);
    expect(() => directAdmissionClient({ grants: [grant], ttlSec: 0 })).not.toThrow();
  });

  it('token-subject identity: the id becomes <fingerprint(sub)>-<id> (fingerprint("spec-client") = zAfmX84b), once', async () => {
    const grant = {
      type: 'WebSocketConnectionGrant',
      url: 'ws://x/a',
      auth: { type: 'WebSocketSubprotocolAuth', tokenProvider: { type: 'StaticTokenProvider', token: jwt({ sub: 'spec-client' }) } },
    };
    const client = directAdmissionClient({ grants: [grant], identityPolicy: identityPolicyProfile('token_subject') });
    expect((await client.hello({ systemId: 'node-1', instanceId: 'i' })).welcome.systemId).toBe('zAfmX84b-node-1');
    expect((await client.hello({ systemId: 'zAfmX84b-node-1', instanceId: 'i' })).welcome.systemId).toBe('zAfmX84b-node-1');
    // No identity anywhere: refused, naming the setting (the reference would keep the id).
    const opaque = directAdmissionClient({ grants: [{ ...grant, auth: { type: 'NoAuth' } }], identityPolicy: tokenSubjectIdentityPolicy });
    await expect(opaque.hello({ systemId: 'node-1', instanceId: 'i' })).rejects.toMatchObject({ setting: 'FAME_NODE_IDENTITY_PROFILE' });
    expect(identityPolicyProfile(undefined).name).toBe('default');
    expect(() => identityPolicyProfile('fancy')).toThrow(/unknown node identity profile/);
    expect(withSubjectPrefix('alice@example.com', 'n')).toBe('YBawmCHM-n');
    expect(staticTokenProvider(jwt({ sub: 'x' })).getIdentity).toBeDefined();
  });
});

describe('noop admission', () => {
  it('welcomes a root as the reference does: no grants, no expiry, the requested logicals', async () => {
    const recorded = welcomeVectors.noop_admission_client_welcome_envelope.frame;
    const { welcome } = await noopAdmissionClient().hello({ systemId: 'agent-d', instanceId: 'inst-10', logicals: ['fame.fabric'] });
    expect(welcome.frame).toEqual(recorded);
    expect(welcome.expiresAt).toBeUndefined();
    expect(
      (await noopAdmissionClient({ autoAcceptLogicals: false }).hello({ systemId: '', instanceId: 'i', logicals: ['a'] })).welcome,
    ).toMatchObject({
      systemId: 'noop-system',
      acceptedLogicals: [],
    });
    expect(noopAdmissionClient().hasUpstream).toBe(false);
  });
});
