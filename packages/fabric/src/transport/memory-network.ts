import {
  ConnectorClosedError,
  createAttachRefusal,
  encodeEnvelope,
  type Authorizer,
  type Connector,
  type Dialer,
  type DialRequest,
  type ListenerAddress,
  type ListenerHost,
  type TokenProvider,
  type TransportListener,
} from '@naylence/core';
import { createMemoryConnectorPair, type MemoryConnectorOptions } from './memory-connector.js';

/**
 * An in-process "network" of named listeners: sentinels listen on a name, nodes dial it. Links
 * are {@link MemoryConnector} pairs, so attach, flow control and routing run exactly as over
 * sockets (used for tests and for multi-node topologies in one process).
 *
 * @example
 * ```ts
 * const net = new MemoryNetwork();
 * const sentinel = new Sentinel({ listeners: [net.listener('hub')] });
 * const agent = new FameNode({ upstream: { dialer: net.dialer('hub') } });
 * ```
 */
export class MemoryNetwork {
  readonly #listeners = new Map<string, MemoryListener>();

  /** A listener reachable as `name`. */
  listener(
    name = 'default',
    options?: { authorizer?: Authorizer; peerAuthorizer?: Authorizer } & MemoryConnectorOptions,
  ): TransportListener {
    return new MemoryListener(this.#listeners, name, options);
  }

  /** A dialer that connects to the listener named `name`. */
  dialer(name = 'default', options?: { tokenProvider?: TokenProvider } & MemoryConnectorOptions): Dialer {
    const listeners = this.#listeners;
    return {
      transport: 'memory',
      async dial(request: DialRequest): Promise<Connector> {
        const listener = listeners.get(name);
        if (!listener) throw new ConnectorClosedError(`no memory listener named ${JSON.stringify(name)}`);
        const token = options?.tokenProvider ? (await options.tokenProvider.getToken(request.signal)).value : undefined;
        const [client, server] = createMemoryConnectorPair(options);
        await listener.connect(server, request, token);
        return client;
      },
    };
  }
}

class MemoryListener implements TransportListener {
  readonly transport = 'memory';
  readonly authorizer: Authorizer | undefined;
  readonly peerAuthorizer: Authorizer | undefined;
  readonly #registry: Map<string, MemoryListener>;
  readonly #name: string;
  #host: ListenerHost | undefined;
  readonly #links = new Set<Connector>();

  constructor(registry: Map<string, MemoryListener>, name: string, options?: { authorizer?: Authorizer; peerAuthorizer?: Authorizer }) {
    this.#registry = registry;
    this.#name = name;
    this.authorizer = options?.authorizer;
    this.peerAuthorizer = options?.peerAuthorizer;
  }

  listen(host: ListenerHost): Promise<ListenerAddress> {
    if (this.#registry.has(this.#name))
      return Promise.reject(new ConnectorClosedError(`memory listener ${JSON.stringify(this.#name)} is already in use`));
    this.#host = host;
    this.#registry.set(this.#name, this);
    return Promise.resolve({ host: 'memory', port: 0, url: `memory://${this.#name}` });
  }

  async connect(server: Connector, request: DialRequest, token: string | undefined): Promise<void> {
    const host = this.#host;
    if (!host) throw new ConnectorClosedError(`memory listener ${this.#name} is closed`);
    for (const link of this.#links) if (link.state === 'closed') this.#links.delete(link);
    this.#links.add(server);
    const refuse = (code: number, reason: string) => {
      void server.close(code, reason);
    };
    if (request.systemId === host.systemId) return refuse(1008, 'Self attachment not allowed');
    if (!host.isReady()) return refuse(1011, 'Internal error');
    let authorization;
    // Peers are authenticated by the peer authorizer (a listener without one but with an
    // authorizer admits no peers: the node refuses them).
    const authorizer = request.originType === 'peer' ? (this.peerAuthorizer ?? this.authorizer) : this.authorizer;
    if (authorizer) {
      authorization = await authorizer.authenticate(token === undefined ? undefined : `Bearer ${token}`);
      if (!authorization) {
        server.send(encodeEnvelope(createAttachRefusal('Authentication failed')));
        return refuse(1008, 'Authentication failed');
      }
    }
    host.accept({ connector: server, originType: request.originType, systemId: request.systemId, ...(authorization && { authorization }) });
  }

  close(): Promise<void> {
    if (this.#registry.get(this.#name) === this) this.#registry.delete(this.#name);
    this.#host = undefined;
    const links = [...this.#links];
    this.#links.clear();
    return Promise.all(links.map((l) => l.close(1001, 'listener closed'))).then(() => undefined);
  }
}
