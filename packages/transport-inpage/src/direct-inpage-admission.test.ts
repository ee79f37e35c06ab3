/**
 * The `direct-inpage` admission profile (in `@naylence/admission`'s one profile table) dialed
 * with this package: the profile gives the grant, {@link dialerFromGrant} the transport.
 */
import { AdmissionDialer, admissionClientForProfile, INPAGE_CONNECTION_GRANT, type GrantDialerFactory } from '@naylence/admission';
import { randomId } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { describe, expect, it } from 'vitest';
import { directInPageGrant, dialerFromGrant, normalizeInPageConnectionGrant } from './grants.js';
import { inPageListener } from './transports.js';

const dialers: Record<string, GrantDialerFactory> = { [INPAGE_CONNECTION_GRANT]: (grant) => dialerFromGrant(grant.raw) };

describe('direct-inpage admission', () => {
  it('admits with the reference’s grant (FAME_DIRECT_INPAGE_CHANNEL, default naylence-fabric) and attaches over the in-page bus', async () => {
    const env = { FAME_DIRECT_INPAGE_CHANNEL: `inpage-${randomId()}` };
    const client = admissionClientForProfile('direct_inpage', { env });
    const dialer = new AdmissionDialer({ client, dialers });
    const welcome = await dialer.admit('page-agent');
    expect(welcome.connectionGrants.map((g) => normalizeInPageConnectionGrant(g.raw))).toEqual([directInPageGrant(env)]);
    expect((await admissionClientForProfile('direct-inpage', { env: {} }).hello({ systemId: 'n', instanceId: 'i' })).welcome).toMatchObject(
      { connectionGrants: [{ type: 'InPageConnectionGrant', channelName: 'naylence-fabric' }] },
    );

    await using sentinel = await createFabric({ listeners: [inPageListener({ channelName: env.FAME_DIRECT_INPAGE_CHANNEL })] });
    await sentinel.serve('clock@fame.fabric', { now: () => 42 });
    try {
      await using agent = await createFabric({ systemId: welcome.systemId, connect: dialer });
      expect(agent.physicalPath).toBe(`${sentinel.physicalPath}/page-agent`);
      expect(await agent.invoke('clock@fame.fabric', 'now', {})).toBe(42);
    } finally {
      dialer.close();
    }
  });
});
