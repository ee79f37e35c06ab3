import type { Authorizer, Dialer, ListenerAddress, TransportListener } from '@naylence/core';
import { createFabric, type Fabric } from '../fabric.js';
import type { Sentinel } from '../sentinel/sentinel.js';
import { describeCalls, RecordingSecurity, type RecordingBehaviour, type StageCall } from './recording-security.js';

/** How the seam suite builds links: the in-memory network, WebSocket, … */
export interface SeamTransport {
  readonly name: string;
  /** A fresh listener for the hub (with `authorizer`, when given). */
  listener(authorizer?: Authorizer): TransportListener;
  /** A dialer to that listener, presenting `token` as bearer token when given. */
  dialer(address: ListenerAddress, token?: string): Dialer;
}

export interface SeamOptions {
  readonly hub?: RecordingBehaviour;
  readonly agent?: RecordingBehaviour;
  readonly client?: RecordingBehaviour;
  /** The hub's listener authenticates with this; agent and client present `token`. */
  readonly authorizer?: Authorizer;
  readonly token?: string;
  /** Heartbeat period of agent and client. Default 60 s (none during a test). */
  readonly heartbeatMs?: number;
  /** Start the client too. Default true. */
  readonly withClient?: boolean;
}

/**
 * Three fabrics with one shared {@link RecordingSecurity} log: a sentinel `hub`, an `agent`
 * and a `client` attached to it over `transport`.
 */
export class SeamFixture implements AsyncDisposable {
  readonly calls: StageCall[] = [];
  /** The recording security of each node, by label. */
  readonly securities = new Map<string, RecordingSecurity>();
  readonly #fabrics: Fabric[] = [];
  hub!: Fabric;
  agent!: Fabric;
  client!: Fabric;

  private constructor(readonly transport: SeamTransport) {}

  static async start(transport: SeamTransport, options: SeamOptions = {}): Promise<SeamFixture> {
    const f = new SeamFixture(transport);
    try {
      f.hub = await f.#fabric({
        systemId: 'hub',
        listeners: [transport.listener(options.authorizer)],
        security: f.security('hub', options.hub),
      });
      f.agent = await f.leaf('agent', options.agent, options);
      if (options.withClient !== false) f.client = await f.leaf('client', options.client, options);
    } catch (error) {
      await f[Symbol.asyncDispose]();
      throw error;
    }
    return f;
  }

  get hubAddress(): ListenerAddress {
    return (this.hub.node as Sentinel).addresses[0]!;
  }

  security(label: string, behaviour: RecordingBehaviour = {}): RecordingSecurity {
    const security = new RecordingSecurity(label, this.calls, behaviour);
    this.securities.set(label, security);
    return security;
  }

  /** Start one more fabric attached to the hub. */
  async leaf(label: string, behaviour: RecordingBehaviour = {}, options: { token?: string; heartbeatMs?: number } = {}): Promise<Fabric> {
    return this.#fabric({
      systemId: label,
      connect: { dialer: this.transport.dialer(this.hubAddress, options.token), heartbeatMs: options.heartbeatMs ?? 60_000 },
      security: this.security(label, behaviour),
    });
  }

  /** `node stage frame origin @link` lines of one node (optionally only some frame types). */
  lines(node: string, frameTypes?: readonly string[]): string[] {
    return describeCalls(
      this.calls,
      (c) => c.node === node && (frameTypes === undefined || (c.frameType !== undefined && frameTypes.includes(c.frameType))),
    );
  }

  /** Forget what was recorded so far. */
  reset(): void {
    this.calls.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const f of this.#fabrics.reverse()) await f.stop();
  }

  async #fabric(options: Parameters<typeof createFabric>[0] & object): Promise<Fabric> {
    const fabric = await createFabric({ env: {}, ...options });
    this.#fabrics.push(fabric);
    return fabric;
  }
}
