import { connectorComplianceSuite, listenerPair } from '@naylence-tools/transport-compliance';
import { WebSocketDialer } from './dialer.js';
import { WebSocketListener } from './listener.js';

/** `a` is the dialing (child) end, `b` the end the listener accepted. */
const dialerListenerPair = (perMessageDeflate: boolean) =>
  listenerPair(new WebSocketListener({ host: '127.0.0.1', perMessageDeflate }), ({ url }) =>
    new WebSocketDialer({ url, perMessageDeflate }).dial({ systemId: 'child', originType: 'downstream' }),
  );

connectorComplianceSuite('WebSocket dialer ↔ listener', { createPair: () => dialerListenerPair(false) });
connectorComplianceSuite('WebSocket dialer ↔ listener with permessage-deflate', { createPair: () => dialerListenerPair(true) });
