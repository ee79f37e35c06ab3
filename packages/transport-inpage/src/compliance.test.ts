import { connectorComplianceSuite, TestHost, type ConnectorPair } from '@naylence-tools/transport-compliance';
import { randomId } from '@naylence/core';
import { broadcastChannelDialer, broadcastChannelListener, inPageDialer, inPageListener } from './transports.js';

/** `a` is the dialing end, `b` the end the listener accepted; each pair on a channel of its own. */
function pairOver(kind: 'inpage' | 'broadcast-channel'): () => Promise<ConnectorPair> {
  return async () => {
    const channelName = `compliance-${randomId()}`;
    const host = new TestHost();
    const listener = kind === 'inpage' ? inPageListener({ channelName }) : broadcastChannelListener({ channelName });
    await listener.listen(host);
    try {
      const accepted = host.nextLink();
      const dialer = kind === 'inpage' ? inPageDialer({ channelName }) : broadcastChannelDialer({ channelName });
      const a = await dialer.dial({ systemId: 'child', originType: 'downstream' });
      const { connector: b } = await accepted;
      return {
        a,
        b,
        cleanup: async () => {
          await Promise.all([a.close(), b.close()]);
          await listener.close();
        },
      };
    } catch (error) {
      await listener.close();
      throw error;
    }
  };
}

connectorComplianceSuite('in-page dialer ↔ listener', { createPair: pairOver('inpage') });
connectorComplianceSuite('BroadcastChannel dialer ↔ listener', { createPair: pairOver('broadcast-channel') });
