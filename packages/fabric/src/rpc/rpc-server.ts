import {
  createJsonRpcError,
  createJsonRpcResult,
  createEnvelope,
  FameError,
  FlowFlags,
  isJsonRpcRequest,
  isValidAddress,
  JsonRpcErrorCode,
  randomId,
  ResponseType,
  RpcError,
  type FameEnvelope,
  type JsonRpcRequest,
  type Logger,
} from '@naylence/core';
import type { DeliveryContext, EnvelopeHandler } from '../node/local-bindings.js';
import type { FameNode } from '../node/node.js';
import { handleCancelNotice, type CallHandle, type RunningCalls } from './cancellation.js';
import { discoverMethods, isAsyncIterable, normalizeParams, type CallContext, type MethodEntry, type Service } from './service.js';

export interface ServeOptions {
  /** Capabilities advertised for this service (e.g. `fame.capability.agent`). */
  readonly capabilities?: readonly string[];
  /** Handlers running at once. Default 64. */
  readonly concurrency?: number;
  /** Requests waiting for a handler slot before senders are held back by flow control. Default 1024. */
  readonly maxQueued?: number;
}

interface Job {
  readonly envelope: FameEnvelope;
  readonly request: JsonRpcRequest;
  /** The request as it reached this node (what replies name as `inReplyTo`). */
  readonly received: FameEnvelope;
}

/** What the dispatcher needs from its fabric. */
export interface DispatcherHost {
  readonly node: FameNode;
  readonly logger: Logger;
  readonly running: RunningCalls;
  /** Whether our replies ask for delivery acks (at-least-once). */
  readonly ackReplies: boolean;
}

/**
 * Serves one service at one address: JSON-RPC 2.0 requests in `Data.payload` (protocol-core
 * §6.5). Requests are queued in a bounded mailbox and run concurrently up to a limit; when the
 * mailbox is full the request's flow-control credit is held, so callers slow down instead of
 * the server's memory growing — and the serving loop itself never stops.
 */
export class ServiceDispatcher {
  readonly address: string;
  readonly #host: DispatcherHost;
  readonly #methods: Map<string, MethodEntry>;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #queue: Job[] = [];
  #running = 0;
  #spaceWaiters: (() => void)[] = [];
  #closed = false;

  constructor(host: DispatcherHost, address: string, service: Service, options?: ServeOptions) {
    this.#host = host;
    this.address = address;
    this.#methods = discoverMethods(service);
    this.#concurrency = options?.concurrency ?? 64;
    this.#maxQueued = options?.maxQueued ?? 1024;
  }

  get methodNames(): string[] {
    return [...this.#methods.keys()];
  }

  /** The binding handler: accept (or hold) one envelope. */
  readonly handler: EnvelopeHandler = (envelope: FameEnvelope, context: DeliveryContext) => {
    if (this.#closed || envelope.frame.type !== 'Data') return undefined;
    const payload = envelope.frame.payload;
    if (!isJsonRpcRequest(payload)) {
      this.#rejectMalformed(envelope, payload);
      return undefined;
    }
    if (handleCancelNotice(payload, this.#host.running)) return undefined;
    return this.#admit({ envelope, request: payload, received: context.received ?? envelope });
  };

  /** Stop taking requests; running ones finish. */
  close(): void {
    this.#closed = true;
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  #admit(job: Job): void | Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#start(job);
      return undefined;
    }
    if (this.#queue.length < this.#maxQueued) {
      this.#queue.push(job);
      return undefined;
    }
    // Full: hold the sender's credit until a slot frees up.
    return new Promise<void>((resolve) => this.#spaceWaiters.push(resolve)).then(() => {
      if (!this.#closed) this.#admit(job) as void;
    });
  }

  #start(job: Job): void {
    this.#running++;
    queueMicrotask(() => {
      void this.#run(job).finally(() => {
        this.#running--;
        const next = this.#queue.shift();
        if (next) this.#start(next);
        const wake = this.#spaceWaiters.shift();
        if (wake) wake();
      });
    });
  }

  async #run({ envelope, request, received }: Job): Promise<void> {
    const id = request.id;
    const replyTo = envelope.replyTo ?? replyAddressFromParams(request.params);
    const answerable = id !== undefined && id !== null && replyTo !== undefined;
    const method = this.#methods.get(request.method);
    if (!method) {
      if (answerable) await this.#reply(received, replyTo, createJsonRpcError(id, JsonRpcErrorCode.METHOD_NOT_FOUND, 'Method not found'));
      return;
    }
    const corrId = envelope.corrId ?? (typeof id === 'string' ? id : undefined);
    const handle = this.#host.running.start(corrId);
    const context: CallContext = {
      envelope,
      method: request.method,
      get signal() {
        return handle.signal;
      },
    };
    try {
      const result: unknown = await method.fn(normalizeParams(request.params), context);
      if (!answerable) return;
      const wantsStream = ((envelope.rtype ?? 0) & ResponseType.STREAM) !== 0;
      if (isAsyncIterable(result)) {
        if (wantsStream || method.streaming) await this.#stream(received, replyTo, id, result, handle);
        else
          await this.#reply(
            received,
            replyTo,
            createJsonRpcError(id, JsonRpcErrorCode.INVALID_REQUEST, `${request.method} streams its results; call it as a stream`),
          );
      } else if (wantsStream) {
        // A unary method called as a stream: one item, then the terminator.
        const flowId = randomId();
        if (result !== null && result !== undefined) await this.#reply(received, replyTo, createJsonRpcResult(id, result), flowId);
        await this.#reply(received, replyTo, createJsonRpcResult(id, null), flowId, true);
      } else {
        await this.#reply(received, replyTo, createJsonRpcResult(id, result ?? null));
      }
    } catch (error) {
      if (answerable) await this.#reply(received, replyTo, errorResponse(id, error));
      else this.#host.logger.warn({ err: error, method: request.method }, 'notification handler failed');
    } finally {
      this.#host.running.finish(corrId, handle);
    }
  }

  async #stream(
    envelope: FameEnvelope,
    replyTo: string,
    id: string | number,
    items: AsyncIterable<unknown>,
    call: CallHandle,
  ): Promise<void> {
    // Each stream has its own flow, so a slow consumer holds back this stream only.
    const flowId = randomId();
    try {
      for await (const item of items) {
        if (call.aborted) break;
        if (item === null || item === undefined) {
          this.#host.logger.warn({ address: this.address, id }, 'skipped a null stream item (null ends a stream on the wire)');
          continue;
        }
        await this.#reply(envelope, replyTo, createJsonRpcResult(id, item), flowId);
      }
      await this.#reply(envelope, replyTo, createJsonRpcResult(id, null), flowId, true);
    } catch (error) {
      // The reference ends a failed stream with a -32000 error and no terminator.
      await this.#reply(envelope, replyTo, createJsonRpcError(id, JsonRpcErrorCode.SERVER_ERROR, errorMessage(error)), flowId, true);
    }
  }

  /** @param request the request as it reached this node */
  async #reply(request: FameEnvelope, replyTo: string, payload: unknown, flowId?: string, last = false): Promise<void> {
    const node = this.#host.node;
    const corrId = request.corrId ?? String((payload as { id?: unknown }).id);
    // Responses name us as their replyTo (as the reference does), which is also where a
    // caller sends `rpc.cancel` for a stream.
    const reply = createEnvelope({
      sid: node.sid,
      traceId: request.traceId,
      to: replyTo,
      replyTo: node.systemInboxAddress,
      rtype: this.#host.ackReplies ? ResponseType.ACK : undefined,
      corrId,
      flowId,
      flowFlags: last ? FlowFlags.RESET : undefined,
      frame: { type: 'Data', payload },
    });
    try {
      await node.send(reply, { inReplyTo: request });
    } catch (error) {
      this.#host.logger.warn({ err: error, to: replyTo, address: this.address }, 'could not send an RPC response');
    }
  }

  #rejectMalformed(envelope: FameEnvelope, payload: unknown): void {
    const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
    if (envelope.replyTo === undefined || (typeof id !== 'string' && typeof id !== 'number')) {
      this.#host.logger.warn({ address: this.address, envelopeId: envelope.id }, 'dropped a Data envelope that is not a JSON-RPC request');
      return;
    }
    void this.#reply(envelope, envelope.replyTo, createJsonRpcError(id, JsonRpcErrorCode.INVALID_REQUEST, 'Invalid Request'));
  }
}

/** The TS reference also takes the reply address from these params when `replyTo` is absent. */
function replyAddressFromParams(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const p = params as Record<string, unknown>;
  for (const key of ['reply_to', 'replyTo', 'reply_address', 'replyAddress']) {
    const value = p[key];
    if (typeof value === 'string' && isValidAddress(value)) return value;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Handler failures become JSON-RPC errors; stack traces never leave the process. */
function errorResponse(id: string | number, error: unknown) {
  if (error instanceof RpcError) return createJsonRpcError(id, error.rpcCode, error.rpcMessage, error.data);
  if (error instanceof FameError) {
    const code = error.mapping.jsonRpc ?? JsonRpcErrorCode.INTERNAL_ERROR;
    return createJsonRpcError(id, code, error.message, { code: error.code });
  }
  return createJsonRpcError(id, JsonRpcErrorCode.INTERNAL_ERROR, errorMessage(error));
}
