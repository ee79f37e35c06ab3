/**
 * The security seam suite of `@naylence/fabric/testing` over real WebSockets on 127.0.0.1: the
 * same stage calls, in the same order, as over the in-memory transport.
 */
import { securitySeamSuite, staticTokens } from '@naylence/fabric/testing';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { describe, it } from 'vitest';

securitySeamSuite(
  {
    name: 'WebSocket',
    listener: (authorizer) => new WebSocketListener({ host: '127.0.0.1', port: 0, ...(authorizer && { authorizer }) }),
    dialer: (address, token) =>
      new WebSocketDialer({ url: address.url, ...(token !== undefined && { tokenProvider: staticTokens(token) }) }),
  },
  { describe, it },
);
