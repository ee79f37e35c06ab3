/**
 * Ownership of a system id under a real security profile: our sentinel runs `gated`
 * (`FAME_SECURITY_PROFILE`, the `oauth2` authorizer checking tokens against our token server's
 * JWKS), and the principal of a link is the token subject that authorizer verified. A second
 * attach with a live link's system id and another subject is refused; the same subject
 * replaces the live link (a node reconnecting before its old link was noticed gone).
 *
 * A signing key presented in a NodeAttach is not a principal: NodeAttach is never signed, so a
 * public key in it proves no possession (anyone may copy another node's public key).
 */
import { runOAuth2Server, runSentinel } from '@naylence/cli';
import { createJwtIssuer } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { connectOurNode, interopLogger, startOurAgent } from './ours.js';
import { RawClient } from './raw-ws.js';

const AUDIENCE = 'fame.fabric';

describe('hostile peers: ownership by the authenticated token subject (gated profile)', () => {
  it('refuses a live system id to another subject and lets the same subject replace its link', async () => {
    await using tokens = await runOAuth2Server({
      clientId: 'principal-test',
      clientSecret: 'principal-test-secret-0123456789',
      port: 0,
      audience: AUDIENCE,
      issuer: (url) => url,
    });
    const issuer = createJwtIssuer({ issuer: tokens.issuer, key: () => tokens.keys.current, audience: AUDIENCE });
    const tokenFor = (sub: string) => issuer.issue({ sub, scope: 'node.connect' });
    const sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: uniqueId('gated-hub'),
      logger: interopLogger(),
      env: {
        FAME_SECURITY_PROFILE: 'gated',
        FAME_JWT_TRUSTED_ISSUER: tokens.issuer,
        FAME_JWT_AUDIENCE: AUDIENCE,
        FAME_JWT_ALGORITHM: 'EdDSA',
        FAME_JWKS_URL: tokens.jwksUrl,
      },
    });
    await using _sentinel = { [Symbol.asyncDispose]: () => sentinel.stop() };
    expect(sentinel.security.profile).toBe('gated');

    const id = uniqueId('owned');
    await using owner = await startOurAgent(sentinel.url, { id, token: await tokenFor('alice'), reconnect: { initialDelayMs: 60_000 } });
    await using client = await connectOurNode(sentinel.url, { id: uniqueId('client'), token: await tokenFor('carol') });
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(id);

    // A valid token of another subject does not take the id: refused with the code, then 1008.
    await using mallory = new RawClient(sentinel.url, id, await tokenFor('mallory'));
    expect((await mallory.attach()).frame).toMatchObject({ type: 'NodeAttachAck', ok: false, code: 'SYSTEM_ID_IN_USE' });
    expect(await mallory.closed).toMatchObject({ code: 1008 });
    expect(owner.node.isAttached).toBe(true);
    expect(await client.invoke('math@fame.fabric', 'whoami')).toBe(id);

    // The same subject (a fresh token of alice's) replaces the live link.
    await using alice = new RawClient(sentinel.url, id, await tokenFor('alice'));
    expect((await alice.attach()).frame).toMatchObject({ type: 'NodeAttachAck', ok: true });
    await expect.poll(() => owner.node.isAttached).toBe(false);
  });
});
