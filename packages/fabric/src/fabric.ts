import {
  NOOP_LOGGER,
  resolveProfiles,
  type Dialer,
  type EnforcedProfiles,
  type Environment,
  type FameEnvelope,
  type ListenerAddress,
  type Logger,
  type NodeSecurity,
  type ProfileRequest,
  type ResolvedProfiles,
  type TransportListener,
} from '@naylence/core';
import { resolveDeliveryPolicy, type DeliveryOption, type DeliveryPolicy } from './delivery/delivery-policy.js';
import type { LinkSettings } from './link/link-peer.js';
import type { NodeHooks } from './node/hooks.js';
import type { BoundAddress } from './node/node.js';
import { FameNode } from './node/node.js';
import type { UpstreamOptions } from './node/upstream-session.js';
import { handleCancelNotice, RunningCalls } from './rpc/cancellation.js';
import { RpcClient, type CallOptions, type CallTarget, type MessageSendOptions, type StreamOptions } from './rpc/rpc-client.js';
import { ServiceDispatcher, type ServeOptions } from './rpc/rpc-server.js';
import type { RpcStream } from './rpc/rpc-stream.js';
import type { Service, ServiceProxy } from './rpc/service.js';
import { Sentinel, type SentinelOptions } from './sentinel/sentinel.js';

export interface FabricOptions {
  /** System id of this fabric's node; default a random id. */
  readonly systemId?: string;
  /** Where the fabric logs. Default: nowhere (pass a pino logger, or run the `naylence` CLI, to see logs). */
  readonly logger?: Logger;
  /** Join a sentinel: a dialer (e.g. `new WebSocketDialer({ url })`) or full upstream options. */
  readonly connect?: Dialer | UpstreamOptions;
  /** Accept children on these listeners, which makes this fabric a sentinel. */
  readonly listeners?: readonly TransportListener[];
  /** Sentinel settings (attach timeout, load balancer, route grace, peers), when hosting one. */
  readonly sentinel?: Omit<
    SentinelOptions,
    'systemId' | 'logger' | 'upstream' | 'listeners' | 'requestedLogicals' | 'security' | 'hooks' | 'link'
  >;
  /** Logicals this node may bind under (default any, `["*"]`). */
  readonly requestedLogicals?: readonly string[];
  /** `at-most-once` (default) or `at-least-once`, optionally with retry settings. */
  readonly delivery?: DeliveryOption;
  /** Default timeout of calls (unary: whole call; stream: wait for the next item). Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Envelope security and attach authorization (see `NodeSecurity`). Default: none. */
  readonly security?: NodeSecurity;
  /**
   * The security, authorization and admission profiles this fabric must enforce, like
   * `FAME_SECURITY_PROFILE`, `FAME_AUTHORIZATION_PROFILE` and `FAME_ADMISSION_PROFILE` (which
   * are read too, and must agree). A profile that neither this build, `security` nor the
   * upstream (`connect.enforces`, e.g. a dialer fetching OAuth2 admission tokens) enforces
   * makes the fabric refuse to start with a `ConfigError` naming the setting.
   */
  readonly profiles?: ProfileRequest;
  /** Where the `FAME_*_PROFILE` variables are read. Default: `process.env` where there is one. */
  readonly env?: Environment;
  /**
   * Profiles the program that builds this fabric enforces itself, beyond this build and
   * `security`: e.g. `{ admission: ['welcome'] }` when it admitted the node through a welcome
   * service and dials with the grant it received (`@naylence/cli`'s admission composition).
   */
  readonly enforces?: Partial<EnforcedProfiles>;
  /**
   * Resources the program built for this fabric and hands over to it (e.g. an admission's
   * renewal timer and HTTP callback listener): disposed, in order, after the node stops.
   */
  readonly owns?: readonly AsyncDisposable[];
  readonly hooks?: readonly NodeHooks[];
  readonly link?: LinkSettings;
}

/** A service being served; `stop()` unbinds it. */
export interface ServedService {
  /** The address callers use (a bare name resolves to `name@{physicalPath}`). */
  readonly address: string;
  readonly methods: readonly string[];
  stop(): Promise<void>;
}

export type SinkHandler = (payload: unknown, envelope: FameEnvelope) => void | Promise<unknown>;

export interface Subscription {
  readonly address: string;
  unsubscribe(): Promise<void>;
}

/**
 * The everyday API: serve services, call them (unary, streamed, by capability), send one-way
 * messages and subscribe to them, on an in-process node or one attached to a sentinel.
 *
 * @example
 * ```ts
 * await using fabric = await createFabric();
 * await fabric.serve('math@fame.fabric', {
 *   add: ({ x, y }: { x: number; y: number }) => x + y,
 *   async *count({ n }: { n: number }) { for (let i = 0; i < n; i++) yield i; },
 * });
 * await fabric.invoke('math@fame.fabric', 'add', { x: 3, y: 4 }); // 7
 * for await (const i of fabric.invokeStream('math@fame.fabric', 'count', { n: 3 })) console.log(i);
 * ```
 */
export class Fabric implements AsyncDisposable {
  readonly node: FameNode;
  readonly logger: Logger;
  readonly delivery: DeliveryPolicy;
  /** The profiles this fabric enforces (checked when it was created). */
  readonly profiles: ResolvedProfiles;
  readonly #client: RpcClient;
  readonly #running = new RunningCalls();
  readonly #dispatchers = new Set<ServiceDispatcher>();
  readonly #sinks = new Map<string, { handlers: Set<SinkHandler>; bound: BoundAddress }>();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #unhookSystem: (() => void) | undefined;
  readonly #owned: readonly AsyncDisposable[];

  /** @throws ConfigError when a requested profile cannot be enforced (see {@link FabricOptions.profiles}) */
  constructor(options: FabricOptions = {}) {
    const upstream = options.connect === undefined ? undefined : 'dial' in options.connect ? { dialer: options.connect } : options.connect;
    const enforcedBy = [options.security?.enforces, upstream?.enforces, options.enforces].filter((e) => e !== undefined);
    this.profiles = resolveProfiles(options.profiles, options.env ?? processEnv(), enforcedBy);
    const logger = options.logger ?? NOOP_LOGGER;
    const nodeOptions = {
      ...(options.systemId !== undefined && { systemId: options.systemId }),
      logger,
      ...(upstream !== undefined && { upstream }),
      ...(options.requestedLogicals !== undefined && { requestedLogicals: options.requestedLogicals }),
      ...(options.security !== undefined && { security: options.security }),
      ...(options.hooks !== undefined && { hooks: options.hooks }),
      ...(options.link !== undefined && { link: options.link }),
    };
    this.node =
      options.listeners || options.sentinel
        ? new Sentinel({ ...nodeOptions, ...options.sentinel, listeners: options.listeners ?? [] })
        : new FameNode(nodeOptions);
    this.logger = this.node.logger;
    this.#owned = options.owns ?? [];
    this.delivery = resolveDeliveryPolicy(options.delivery);
    this.#client = new RpcClient(this.node, {
      logger: this.logger,
      policy: this.delivery,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
  }

  /** Start the node (attaching to the sentinel, if any) and the RPC inbox. */
  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#state = 'running';
    await this.node.start();
    await this.#client.start();
    this.#unhookSystem = this.node.onSystemEnvelope((env) => this.#onSystemEnvelope(env));
  }

  /** Stop serving, fail pending calls (ABORTED), and stop the node. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const d of this.#dispatchers) d.close();
    this.#running.cancelAll('the fabric is stopping');
    this.#client.stop();
    this.#unhookSystem?.();
    try {
      await this.node.stop();
    } finally {
      for (const resource of this.#owned) await resource[Symbol.asyncDispose]();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Where this node is: `/{…}/{systemId}`. */
  get physicalPath(): string {
    return this.node.physicalPath;
  }

  /** Where this fabric's listeners can be reached (empty unless it hosts a sentinel). */
  get addresses(): readonly ListenerAddress[] {
    return this.node instanceof Sentinel ? this.node.addresses : [];
  }

  /**
   * Serve `service` at `address`. A logical address (`math@fame.fabric`) is announced to the
   * sentinel; a bare name (`math`) is served at `math@{physicalPath}`, reachable by that
   * address or by capability.
   */
  async serve(address: string, service: Service, options?: ServeOptions): Promise<ServedService> {
    const bindAddress = address.includes('@') ? address : `${address}@/`;
    const dispatcher = new ServiceDispatcher(
      {
        node: this.node,
        logger: this.logger.child({ service: address }),
        running: this.#running,
        ackReplies: this.delivery.mode === 'at-least-once',
      },
      address,
      service,
      options,
    );
    const bound = await this.node.bind(bindAddress, dispatcher.handler, { capabilities: options?.capabilities ?? [] });
    this.#dispatchers.add(dispatcher);
    const node = this.node;
    return {
      get address() {
        return address.includes('@') ? address : `${address}@${node.physicalPath}`;
      },
      methods: dispatcher.methodNames,
      stop: async () => {
        dispatcher.close();
        this.#dispatchers.delete(dispatcher);
        await bound.unbind();
      },
    };
  }

  /** Call `method` at `address` and wait for its result. */
  invoke<R = unknown>(address: string, method: string, params?: unknown, options?: CallOptions): Promise<R> {
    return this.#client.invoke({ to: address }, method, params, options) as Promise<R>;
  }

  /** Call `method` on any provider of all `capabilities`. */
  invokeByCapability<R = unknown>(capabilities: readonly string[], method: string, params?: unknown, options?: CallOptions): Promise<R> {
    return this.#client.invoke({ capabilities }, method, params, options) as Promise<R>;
  }

  /** Call a streaming method; iterate the result. `break` cancels the call. */
  invokeStream<T = unknown>(address: string, method: string, params?: unknown, options?: StreamOptions): RpcStream<T> {
    return this.#client.stream<T>({ to: address }, method, params, options);
  }

  invokeStreamByCapability<T = unknown>(
    capabilities: readonly string[],
    method: string,
    params?: unknown,
    options?: StreamOptions,
  ): RpcStream<T> {
    return this.#client.stream<T>({ capabilities }, method, params, options);
  }

  /** Send a one-way message; with `{ ack: true }` (or at-least-once) wait for its DeliveryAck. */
  send(address: string, payload: unknown, options?: MessageSendOptions): Promise<void> {
    return this.#client.send({ to: address }, payload, options);
  }

  sendByCapability(capabilities: readonly string[], payload: unknown, options?: MessageSendOptions): Promise<void> {
    return this.#client.send({ capabilities } satisfies CallTarget, payload, options);
  }

  /**
   * Receive the payloads sent to `address`. Several subscribers of one address each get every
   * message (fan-out); a handler's promise holds back the sender until it settles.
   */
  async subscribe(address: string, handler: SinkHandler, options?: { capabilities?: readonly string[] }): Promise<Subscription> {
    let sink = this.#sinks.get(address);
    if (!sink) {
      const handlers = new Set<SinkHandler>();
      const bound = await this.node.bind(address.includes('@') ? address : `${address}@/`, (env) => this.#fanOut(address, handlers, env), {
        capabilities: options?.capabilities ?? [],
      });
      sink = { handlers, bound };
      this.#sinks.set(address, sink);
    }
    sink.handlers.add(handler);
    return {
      address,
      unsubscribe: async () => {
        const current = this.#sinks.get(address);
        if (!current || !current.handlers.delete(handler) || current.handlers.size > 0) return;
        this.#sinks.delete(address);
        await current.bound.unbind();
      },
    };
  }

  /**
   * A typed client for a service: `fabric.proxy<Math>('math@fame.fabric').add({ x, y })`.
   * A call is unary when awaited and streamed when iterated.
   */
  proxy<S extends object>(address: string): ServiceProxy<S> {
    return new Proxy(
      {},
      {
        get: (_target, method) => {
          if (typeof method !== 'string' || method === 'then') return undefined;
          return (params?: unknown, options?: CallOptions) => new LazyCall(this, address, method, params, options);
        },
      },
    ) as ServiceProxy<S>;
  }

  #fanOut(address: string, handlers: Set<SinkHandler>, envelope: FameEnvelope): void | Promise<unknown> {
    if (envelope.frame.type !== 'Data') return undefined;
    const payload = envelope.frame.payload;
    const pending: Promise<unknown>[] = [];
    for (const handler of handlers) {
      try {
        const result = handler(payload, envelope);
        if (result instanceof Promise)
          pending.push(result.catch((error: unknown) => this.logger.warn({ err: error, address }, 'subscriber failed')));
      } catch (error) {
        this.logger.warn({ err: error, address }, 'subscriber failed');
      }
    }
    return pending.length ? Promise.all(pending) : undefined;
  }

  #onSystemEnvelope(envelope: FameEnvelope): void {
    // A streaming callee names our system inbox as its replyTo: that is where `rpc.cancel` lands.
    if (envelope.frame.type === 'Data') handleCancelNotice(envelope.frame.payload, this.#running);
  }
}

/** A proxy call: unary when awaited, streamed when iterated; starts on first use. */
class LazyCall implements PromiseLike<unknown>, AsyncIterable<unknown> {
  #promise: Promise<unknown> | undefined;
  constructor(
    readonly fabric: Fabric,
    readonly address: string,
    readonly method: string,
    readonly params: unknown,
    readonly options: CallOptions | undefined,
  ) {}

  then<A = unknown, B = never>(
    onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#promise ??= this.fabric.invoke(this.address, this.method, this.params, this.options);
    return this.#promise.then(onFulfilled, onRejected);
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return this.fabric.invokeStream(this.address, this.method, this.params, this.options);
  }
}

function processEnv(): Environment | undefined {
  return (globalThis as { process?: { env?: Environment } }).process?.env;
}

/**
 * Create and start a fabric. Without options it is a node in this process only.
 * @throws ConfigError when a requested profile cannot be enforced (it never runs without it)
 */
export async function createFabric(options?: FabricOptions): Promise<Fabric> {
  const fabric = new Fabric(options);
  try {
    await fabric.start();
  } catch (error) {
    await fabric.stop();
    throw error;
  }
  return fabric;
}

/** Run `fn` with a started fabric and always stop it afterwards. */
export async function withFabric<T>(fn: (fabric: Fabric) => Promise<T>): Promise<T>;
export async function withFabric<T>(options: FabricOptions, fn: (fabric: Fabric) => Promise<T>): Promise<T>;
export async function withFabric<T>(a: FabricOptions | ((fabric: Fabric) => Promise<T>), b?: (fabric: Fabric) => Promise<T>): Promise<T> {
  const [options, fn] = typeof a === 'function' ? [undefined, a] : [a, b!];
  const fabric = await createFabric(options);
  try {
    return await fn(fabric);
  } finally {
    await fabric.stop();
  }
}
