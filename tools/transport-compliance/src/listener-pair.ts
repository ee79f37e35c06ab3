import type { Connector, ListenerAddress, TransportListener } from '@naylence/core';
import type { ConnectorPair } from './connector-suite.js';
import { TestHost } from './test-host.js';

/**
 * A pair for the suite from a transport's own listener and a dial towards it: `a` is the end
 * `dial` opened, `b` the end the listener accepted; `cleanup` closes both and the listener
 * (which is also closed when the dial fails).
 */
export async function listenerPair(
  listener: TransportListener,
  dial: (address: ListenerAddress) => Promise<Connector>,
): Promise<ConnectorPair> {
  const host = new TestHost();
  try {
    const address = await listener.listen(host);
    const accepted = host.nextLink();
    const a = await dial(address);
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
