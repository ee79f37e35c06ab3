import type { NodeParts } from '../node/node-role.js';
import { UpstreamSession, type UpstreamOptions } from '../node/upstream-session.js';
import type { ChildLinks } from './child-links.js';
import type { ControlFrames } from './control-frames.js';
import type { Neighbour } from './link-table.js';

/**
 * Peering a sentinel dials itself (originType `peer`): one session per configured peer, which
 * attaches, reconnects with backoff like an upstream session, and while attached is a
 * neighbour like any accepted peer.
 */
export class PeerDialer {
  readonly #parts: NodeParts;
  readonly #links: ChildLinks;
  readonly #control: ControlFrames;
  readonly #sessions: UpstreamSession[] = [];

  constructor(parts: NodeParts, links: ChildLinks, control: ControlFrames) {
    this.#parts = parts;
    this.#links = links;
    this.#control = control;
  }

  async dial(options: UpstreamOptions): Promise<void> {
    const parts = this.#parts;
    let current: Neighbour | undefined;
    const session: UpstreamSession = new UpstreamSession(
      {
        systemId: parts.identity.systemId,
        get sid() {
          return parts.identity.sid;
        },
        logger: parts.logger,
        linkOptions: parts.linkOptions,
        security: parts.security,
        attachFields: () => ({ acceptedLogicals: [...parts.acceptedLogicals] }),
        onEnvelope: (envelope) => (current ? this.#control.handle(envelope, current) : undefined),
        onRejected: (envelope, rejection, direction, link) => parts.rejected(envelope, rejection, direction, link),
        onAttached: (info) => {
          const link = session.link!;
          current = {
            phase: 'attached',
            link,
            peer: link.peer,
            buffered: undefined,
            routingEpoch: info.routingEpoch ?? '',
            pending: session.pending,
            authorizer: undefined,
            dialed: true,
            logicals: undefined,
            sid: undefined,
          };
          this.#links.adoptDialedPeer(current);
          return Promise.resolve();
        },
        onDetached: () => {
          if (current) this.#links.dialedPeerLost(current);
          current = undefined;
        },
      },
      options,
      'peer',
    );
    this.#sessions.push(session);
    await session.start();
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.#sessions.map((s) => s.stop()));
  }
}
