/**
 * Our side of the interop scenarios: a sentinel, an agent and a client built from the public
 * packages exactly as a user would (createFabric + WebSocketListener / WebSocketDialer).
 */
import { NOOP_LOGGER, type Authorizer, type Logger, type TokenProvider } from '@naylence/core';
import { createPinoLogger } from '@naylence/cli';
import { createFabric, type Sentinel, type Fabric, type FabricOptions, type NodeHooks, type ReconnectPolicy } from '@naylence/fabric';
import { sharedSecretAuthorizer, staticTokenProvider } from '@naylence/security';
import { WebSocketDialer, WebSocketListener, type WebSocketListenerOptions } from '@naylence/transport-ws';

/** Logs of our nodes: silent unless INTEROP_LOG names a pino level (e.g. `INTEROP_LOG=debug`). */
export function interopLogger(): Logger {
  const level = process.env.INTEROP_LOG;
  return level ? createPinoLogger(level) : NOOP_LOGGER;
}

/** The first `n` Fibonacci numbers (what `fib` streams). */
export function fibonacci(n: number): number[] {
  const out: number[] = [];
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) {
    out.push(a);
    [a, b] = [b, a + b];
  }
  return out;
}

/** The service our agents serve: the same methods as the reference agent script. */
export class MathService {
  constructor(readonly id: string) {}
  add({ x, y }: { x: number; y: number }): number {
    return x + y;
  }
  async *fib({ n }: { n: number }): AsyncGenerator<number> {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) {
      yield a;
      [a, b] = [b, a + b];
    }
  }
  whoami(): string {
    return this.id;
  }
  fail(): never {
    throw new Error('deliberate failure');
  }
}

export interface OurSentinel extends AsyncDisposable {
  readonly fabric: Fabric;
  readonly sentinel: Sentinel;
  readonly listener: WebSocketListener;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** Our sentinel on 127.0.0.1 (`port` 0 = ephemeral), optionally requiring a shared secret or any authorizer. */
export async function startOurSentinel(
  options: {
    id?: string;
    port?: number;
    token?: string;
    authorizer?: Authorizer;
    logger?: Logger;
    listener?: Omit<WebSocketListenerOptions, 'host' | 'port'>;
    sentinel?: FabricOptions['sentinel'];
    link?: FabricOptions['link'];
    hooks?: readonly NodeHooks[];
  } = {},
): Promise<OurSentinel> {
  const listener = new WebSocketListener({
    ...options.listener,
    host: '127.0.0.1',
    port: options.port ?? 0,
    ...(options.token !== undefined && { authorizer: sharedSecretAuthorizer({ secret: options.token }) }),
    ...(options.authorizer !== undefined && { authorizer: options.authorizer }),
  });
  const fabric = await createFabric({
    ...(options.id !== undefined && { systemId: options.id }),
    logger: options.logger ?? interopLogger(),
    listeners: [listener],
    ...(options.sentinel !== undefined && { sentinel: options.sentinel }),
    ...(options.link !== undefined && { link: options.link }),
    ...(options.hooks !== undefined && { hooks: options.hooks }),
  });
  const sentinel = fabric.node as Sentinel;
  const address = sentinel.addresses[0]!;
  const stop = () => fabric.stop();
  return { fabric, sentinel, listener, port: address.port, url: address.url, stop, [Symbol.asyncDispose]: stop };
}

export interface NodeOptions {
  readonly id?: string;
  readonly token?: string | TokenProvider;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly heartbeatMs?: number;
  readonly requestedLogicals?: readonly string[];
  readonly hooks?: readonly NodeHooks[];
  readonly logger?: Logger;
}

/** A fabric attached to the sentinel at `url` (our client). */
export function connectOurNode(url: string, options: NodeOptions = {}): Promise<Fabric> {
  const tokenProvider = typeof options.token === 'string' ? staticTokenProvider(options.token) : options.token;
  const logger = options.logger ?? interopLogger();
  return createFabric({
    ...(options.id !== undefined && { systemId: options.id }),
    logger,
    connect: {
      dialer: new WebSocketDialer({ url, logger, ...(tokenProvider !== undefined && { tokenProvider }) }),
      ...(options.reconnect !== undefined && { reconnect: options.reconnect }),
      ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    },
    ...(options.requestedLogicals !== undefined && { requestedLogicals: options.requestedLogicals }),
    ...(options.hooks !== undefined && { hooks: options.hooks }),
  });
}

/** Our agent: attached to `url`, serving {@link MathService} at `address` (default `math@fame.fabric`). */
export async function startOurAgent(url: string, options: NodeOptions & { capability?: string; address?: string } = {}): Promise<Fabric> {
  const fabric = await connectOurNode(url, options);
  try {
    await fabric.serve(options.address ?? 'math@fame.fabric', new MathService(fabric.node.systemId), {
      capabilities: options.capability === undefined ? [] : [options.capability],
    });
  } catch (error) {
    await fabric.stop();
    throw error;
  }
  return fabric;
}

/** Call `fn` until it resolves, or rethrow its last error at the deadline (a hang guard). */
export async function eventually<T>(fn: () => Promise<T>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  }
}
