// Test helper (not part of the package API): a Link on one end of an in-memory pair, the other
// end read raw, so a test sees exactly what goes on the wire.
import { createEnvelope, decodeEnvelope, NOOP_LOGGER, serializeEnvelope, type FameEnvelope, type WireMessage } from '@naylence/core';
import { createMemoryConnectorPair, type MemoryConnectorOptions } from '../transport/memory-connector.js';
import { Link } from './link.js';
import { LinkPeer, type LinkOptions } from './link-peer.js';

export function rawPeer(
  handler: (env: FameEnvelope, link: Link) => void | Promise<unknown> = () => undefined,
  options: Partial<LinkOptions> = {},
  transport: MemoryConnectorOptions = {},
) {
  const [ours, theirs] = createMemoryConnectorPair(transport);
  const wire: FameEnvelope[] = [];
  const link = new Link(
    ours,
    new LinkPeer('downstream', 'peer', undefined),
    { onEnvelope: handler, onRejected: () => undefined, onClose: () => undefined },
    { logger: NOOP_LOGGER, ...options },
  );
  link.start();
  theirs.start({ onMessage: (m: WireMessage) => wire.push(decodeEnvelope(m)), onClose: () => undefined });
  const inject = (env: FameEnvelope) => theirs.send(serializeEnvelope(env));
  const credit = (flowId: string, credits = 32) =>
    inject(createEnvelope({ flowId, seqId: 0, flowFlags: 2, frame: { type: 'CreditUpdate', flowId, credits } }));
  return { link, wire, inject, credit, theirs };
}

export const data = (n: number, extra: Partial<FameEnvelope> = {}) =>
  createEnvelope({ to: 'x@y', frame: { type: 'Data', payload: n }, ...extra });
