import { connectorComplianceSuite } from '@naylence-tools/transport-compliance';
import { createMemoryConnectorPair } from './memory-connector.js';

// The in-memory transport runs the same compliance suite as the socket transports.
connectorComplianceSuite('MemoryConnector pair', {
  createPair() {
    const [a, b] = createMemoryConnectorPair({ highWaterMark: 256 * 1024 });
    return Promise.resolve({ a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) });
  },
});
