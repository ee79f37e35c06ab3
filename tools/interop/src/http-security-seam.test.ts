/**
 * The security seam suite of `@naylence/fabric/testing` over HTTP links on 127.0.0.1: the same
 * stage calls, in the same order, as over the in-memory transport and WebSocket. It also shows
 * the NodeAttach of an HTTP link carrying both its callback grant (the connector's
 * `attachFields`) and the security component's members, and the listener's authorizer vetting
 * the attach through the fabric (a refusal is a NodeAttachAck ok:false on the link).
 */
import { securitySeamSuite, staticTokens } from '@naylence/fabric/testing';
import { HttpDialer, HttpListener } from '@naylence/transport-http';
import { afterAll, describe, it } from 'vitest';

/** Every child's callback listener (the parent POSTs to it); closed when the suite is done. */
const callbacks: HttpListener[] = [];
afterAll(() => Promise.all(callbacks.map((c) => c.close())));

securitySeamSuite(
  {
    name: 'HTTP',
    listener: (authorizer) => new HttpListener({ host: '127.0.0.1', port: 0, ...(authorizer && { authorizer }) }),
    dialer: (address, token) => {
      const callback = new HttpListener({ host: '127.0.0.1', port: 0 });
      callbacks.push(callback);
      return new HttpDialer({ url: address.url, callback, ...(token !== undefined && { tokenProvider: staticTokens(token) }) });
    },
  },
  { describe, it },
);
