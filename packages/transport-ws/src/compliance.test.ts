import { connectorComplianceSuite, type ConnectorPair } from '@naylence-tools/transport-compliance';
import { TestHost } from './fixtures.test.util.js';
import { WebSocketDialer } from './dialer.js';
import { WebSocketListener } from './listener.js';

/** `a` is the dialing (child) end, `b` the end the listener accepted. */
async function dialerListenerPair(perMessageDeflate: boolean): Promise<ConnectorPair> {
  const host = new TestHost();
  const listener = new WebSocketListener({ host: '127.0.0.1', perMessageDeflate });
  try {
    const { url } = await listener.listen(host);
    const accepted = host.nextLink();
    const a = await new WebSocketDialer({ url, perMessageDeflate }).dial({ systemId: 'child', originType: 'downstream' });
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
}

connectorComplianceSuite('WebSocket dialer ↔ listener', { createPair: () => dialerListenerPair(false) });
connectorComplianceSuite('WebSocket dialer ↔ listener with permessage-deflate', { createPair: () => dialerListenerPair(true) });
