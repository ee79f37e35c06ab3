import { connectorComplianceSuite, type ConnectorPair } from '@naylence-tools/transport-compliance';
import { attachLink, EnvelopeCarrier, startHttpPair } from './fixtures.test.util.js';

/**
 * `a` is the dialing (child) end, `b` the end the parent's listener accepted; both run over
 * real sockets on 127.0.0.1, each message one POST (see {@link EnvelopeCarrier} for why the
 * suite's messages travel as Data envelopes).
 */
async function dialerListenerPair(): Promise<ConnectorPair> {
  const pair = await startHttpPair();
  try {
    const { child, parent } = await attachLink(pair);
    return {
      a: new EnvelopeCarrier(child, false),
      b: new EnvelopeCarrier(parent, true),
      cleanup: async () => {
        await Promise.all([child.close(), parent.close()]);
        await pair[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await pair[Symbol.asyncDispose]();
    throw error;
  }
}

connectorComplianceSuite('HTTP dialer ↔ listener', { createPair: dialerListenerPair });
