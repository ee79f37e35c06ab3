import { describe, it } from 'vitest';
import { securitySeamSuite } from '../testing/seam-suite.js';
import { staticTokens } from '../testing/support.js';
import { MemoryNetwork } from '../transport/memory-network.js';

// The same suite runs over WebSocket in tools/interop (ws-security-seam.test.ts).
let net = new MemoryNetwork();
securitySeamSuite(
  {
    name: 'the in-memory transport',
    listener: (authorizer) => {
      net = new MemoryNetwork();
      return net.listener('hub', authorizer ? { authorizer } : {});
    },
    dialer: (_address, token) => net.dialer('hub', token === undefined ? {} : { tokenProvider: staticTokens(token) }),
  },
  { describe, it },
);
