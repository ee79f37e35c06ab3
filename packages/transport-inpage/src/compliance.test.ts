import { connectorComplianceSuite, listenerPair } from '@naylence-tools/transport-compliance';
import { randomId } from '@naylence/core';
import { broadcastChannelDialer, broadcastChannelListener, inPageDialer, inPageListener } from './transports.js';

/** `a` is the dialing end, `b` the end the listener accepted; each pair on a channel of its own. */
function pairOver(kind: 'inpage' | 'broadcast-channel') {
  return () => {
    const channelName = `compliance-${randomId()}`;
    const [listener, dialer] =
      kind === 'inpage'
        ? [inPageListener({ channelName }), inPageDialer({ channelName })]
        : [broadcastChannelListener({ channelName }), broadcastChannelDialer({ channelName })];
    return listenerPair(listener, () => dialer.dial({ systemId: 'child', originType: 'downstream' }));
  };
}

connectorComplianceSuite('in-page dialer ↔ listener', { createPair: pairOver('inpage') });
connectorComplianceSuite('BroadcastChannel dialer ↔ listener', { createPair: pairOver('broadcast-channel') });
