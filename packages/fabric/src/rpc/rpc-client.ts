import {
  AbortedError,
  createEnvelope,
  createJsonRpcRequest,
  DeliveryNackError,
  FameTimeoutError,
  isJsonRpcError,
  isJsonRpcResponse,
  isStreamEnd,
  randomId,
  RPC_INBOX_PREFIX,
  ResponseType,
  rpcErrorFrom,
  type DeliveryAckFrame,
  type FameEnvelope,
  type JsonRpcResponse,
  type JsonRpcSuccess,
  type Logger,
} from '@naylence/core';
import { AT_MOST_ONCE, retryDelay, type DeliveryPolicy } from '../delivery/delivery-policy.js';
import type { FameNode } from '../node/node.js';
import { asError } from '../util/as-error.js';
import { cancelNotice } from './cancellation.js';
import { RpcStream } from './rpc-stream.js';

/** Where a call goes: an address, or any provider of all the capabilities. */
export type CallTarget = { readonly to: string } | { readonly capabilities: readonly string[] };

export interface CallOptions {
  /** Unary: the whole call. Stream: the longest wait for the next item. Default 30 000 ms. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface StreamOptions extends CallOptions {
  /** Items buffered before the producer is held back. Default 64. */
  readonly bufferSize?: number;
}

/** How {@link Fabric.send} sends one message. */
export interface MessageSendOptions extends Omit<CallOptions, 'timeoutMs'> {
  /** Wait for the receiver's DeliveryAck (re-sending under at-least-once). Default false. */
  readonly ack?: boolean;
  readonly timeoutMs?: number;
}

interface Pending {
  readonly envelope: FameEnvelope;
  readonly kind: 'unary' | 'stream' | 'ack';
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly stream: RpcStream<unknown> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  retry: ReturnType<typeof setTimeout> | undefined;
  attempts: number;
  acked: boolean;
  /** Where `rpc.cancel` goes: the responder once it has answered, else the target address. */
  cancelTo: string | undefined;
  abort: (() => void) | undefined;
  signal: AbortSignal | undefined;
}

/**
 * The calling side of RPC: one reply inbox (`__rpc__{id}@{ourPath}`), the calls waiting on it
 * by correlation id, and at-least-once re-sending. A call's entry exists only while the call
 * runs; nothing is kept afterwards.
 */
export class RpcClient {
  readonly #node: FameNode;
  readonly #logger: Logger;
  readonly #policy: DeliveryPolicy;
  readonly #defaultTimeoutMs: number;
  readonly #inboxName = `${RPC_INBOX_PREFIX}${randomId()}`;
  readonly #calls = new Map<string, Pending>();
  #stopped = false;

  constructor(node: FameNode, options: { logger: Logger; policy?: DeliveryPolicy; timeoutMs?: number }) {
    this.#node = node;
    this.#logger = options.logger;
    this.#policy = options.policy ?? AT_MOST_ONCE;
    this.#defaultTimeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Calls waiting for an answer (for tests and metrics). */
  get pendingCount(): number {
    return this.#calls.size;
  }

  /** Our reply inbox at the node's current path. */
  get inboxAddress(): string {
    return `${this.#inboxName}@${this.#node.physicalPath}`;
  }

  async start(): Promise<void> {
    await this.#node.bind(`${this.#inboxName}@/`, (env) => this.#onInbox(env));
  }

  stop(): void {
    this.#stopped = true;
    const error = new AbortedError('call (the fabric stopped)');
    for (const call of [...this.#calls.values()]) this.#fail(call, error);
  }

  invoke(target: CallTarget, method: string, params: unknown, options?: CallOptions): Promise<unknown> {
    return new Promise((resolve, reject) => this.#call('unary', target, method, params, options, resolve, reject, undefined));
  }

  stream<T>(target: CallTarget, method: string, params: unknown, options?: StreamOptions): RpcStream<T> {
    const tracked: { call?: Pending | undefined } = {};
    const stream = new RpcStream<T>({
      capacity: options?.bufferSize ?? 64,
      idleTimeoutMs: options?.timeoutMs ?? this.#defaultTimeoutMs,
      onCancel: (reason) => {
        if (tracked.call) this.#cancel(tracked.call, reason);
      },
    });
    tracked.call = this.#call(
      'stream',
      target,
      method,
      params,
      // the stream enforces the idle timeout itself
      { ...options, timeoutMs: 0 },
      () => undefined,
      (error) => stream.fail(error),
      stream,
    );
    return stream;
  }

  /** A one-way Data envelope, optionally waiting for its DeliveryAck. */
  send(target: CallTarget, payload: unknown, options?: MessageSendOptions): Promise<void> {
    const wantsAck = options?.ack === true || this.#policy.mode === 'at-least-once';
    // Only a tracked message carries a corrId: one without it is no reply to anything.
    const envelope = this.#envelope(target, payload, wantsAck ? ResponseType.ACK : 0, wantsAck ? randomId() : undefined);
    if (!wantsAck) return this.#node.send(envelope);
    return new Promise((resolve, reject) => this.#track('ack', envelope, options, () => resolve(), reject, undefined));
  }

  #call(
    kind: 'unary' | 'stream',
    target: CallTarget,
    method: string,
    params: unknown,
    options: CallOptions | undefined,
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
    stream: RpcStream<unknown> | undefined,
  ): Pending | undefined {
    const corrId = randomId();
    const rtype = kind === 'stream' ? ResponseType.STREAM : ResponseType.REPLY;
    const payload = createJsonRpcRequest(corrId, method, (params ?? {}) as Record<string, unknown>);
    const envelope = this.#envelope(target, payload, rtype | (this.#policy.mode === 'at-least-once' ? ResponseType.ACK : 0), corrId);
    return this.#track(kind, envelope, options, resolve, reject, stream);
  }

  #envelope(target: CallTarget, payload: unknown, rtype: number, corrId: string | undefined): FameEnvelope {
    return createEnvelope({
      sid: this.#node.sid,
      to: (target as { to?: string }).to,
      capabilities: (target as { capabilities?: readonly string[] }).capabilities,
      replyTo: this.inboxAddress,
      rtype: rtype === 0 ? undefined : rtype,
      corrId,
      frame: { type: 'Data', payload },
    });
  }

  #track(
    kind: Pending['kind'],
    envelope: FameEnvelope,
    options: CallOptions | undefined,
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
    stream: RpcStream<unknown> | undefined,
  ): Pending | undefined {
    if (this.#stopped) {
      reject(new AbortedError('call (the fabric stopped)'));
      return undefined;
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      reject(new AbortedError('call', { cause: signal.reason }));
      return undefined;
    }
    const corrId = envelope.corrId!;
    const call: Pending = {
      envelope,
      kind,
      resolve,
      reject,
      stream,
      timer: undefined,
      retry: undefined,
      attempts: 0,
      acked: false,
      cancelTo: envelope.to,
      abort: undefined,
      signal,
    };
    this.#calls.set(corrId, call);
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    if (timeoutMs > 0) {
      // Referenced on purpose: a pending call keeps the process alive until it settles.
      call.timer = setTimeout(() => this.#cancel(call, new FameTimeoutError(describe(envelope), timeoutMs)), timeoutMs);
    }
    if (signal) {
      call.abort = () => this.#cancel(call, new AbortedError('call', { cause: signal.reason }));
      signal.addEventListener('abort', call.abort, { once: true });
    }
    this.#transmit(call);
    return call;
  }

  #transmit(call: Pending): void {
    call.attempts++;
    this.#node.send(call.envelope).catch((error: unknown) => this.#fail(call, asError(error)));
    if ((call.envelope.rtype ?? 0) & ResponseType.ACK && call.attempts <= this.#policy.maxRetries) {
      call.retry = setTimeout(
        () => {
          call.retry = undefined;
          if (this.#calls.get(call.envelope.corrId!) !== call || call.acked) return;
          this.#logger.debug({ corrId: call.envelope.corrId, attempt: call.attempts + 1 }, 're-sending: no ack yet');
          this.#transmit(call);
        },
        retryDelay(this.#policy, call.attempts),
      );
    }
  }

  #onInbox(envelope: FameEnvelope): void | Promise<void> {
    const call = envelope.corrId === undefined ? undefined : this.#calls.get(envelope.corrId);
    const frame = envelope.frame;
    if (frame.type === 'DeliveryAck') {
      if (call) this.#onAck(call, frame);
      return undefined;
    }
    if (frame.type !== 'Data') return undefined;
    if (!call) {
      this.#logger.debug({ corrId: envelope.corrId }, 'response for a call that is no longer waiting');
      return undefined;
    }
    const response = frame.payload;
    if (!isJsonRpcResponse(response)) {
      this.#logger.warn({ corrId: envelope.corrId }, 'ignored a reply that is not a JSON-RPC response');
      return undefined;
    }
    call.acked = true; // an answer implies delivery
    if (envelope.replyTo !== undefined) call.cancelTo = envelope.replyTo;
    return call.kind === 'stream' ? this.#onStreamItem(call, response) : this.#settle(call, response);
  }

  #onAck(call: Pending, ack: DeliveryAckFrame): void {
    if (ack.ok === false) {
      this.#fail(call, new DeliveryNackError(ack.code ?? 'NO_ROUTE', ack.reason));
      return;
    }
    call.acked = true;
    if (call.retry) clearTimeout(call.retry);
    if (call.kind === 'ack') this.#finish(call).resolve(undefined);
  }

  #settle(call: Pending, response: JsonRpcResponse): void {
    this.#finish(call);
    if (isJsonRpcError(response)) call.reject(rpcErrorFrom(response));
    else call.resolve(response.result ?? null);
  }

  #onStreamItem(call: Pending, response: JsonRpcResponse): void | Promise<void> {
    const stream = call.stream!;
    if (isStreamEnd(response)) {
      this.#finish(call);
      if (isJsonRpcError(response)) stream.fail(rpcErrorFrom(response));
      else stream.end();
      return undefined;
    }
    return stream.push((response as JsonRpcSuccess).result);
  }

  /** Give up on a call (timeout, abort, cancel) and tell the callee. */
  #cancel(call: Pending, reason: Error): void {
    if (this.#calls.get(call.envelope.corrId!) !== call) return;
    this.#finish(call);
    // A stream drops what it buffered and rejects its consumer; its onCancel finds the call gone.
    if (call.stream) call.stream.cancel(reason);
    else call.reject(reason);
    const to = call.cancelTo;
    if (to === undefined) return;
    this.#node
      .send(cancelNotice(to, call.envelope.corrId!, this.#node.sid))
      .catch((error: unknown) => this.#logger.debug({ err: error, to }, 'could not send rpc.cancel'));
  }

  #fail(call: Pending, error: Error): void {
    if (this.#calls.get(call.envelope.corrId!) !== call) return;
    this.#finish(call);
    if (call.stream) call.stream.fail(error);
    else call.reject(error);
  }

  /** Remove every trace of the call. */
  #finish(call: Pending): Pending {
    this.#calls.delete(call.envelope.corrId!);
    if (call.timer) clearTimeout(call.timer);
    if (call.retry) clearTimeout(call.retry);
    if (call.abort) call.signal?.removeEventListener('abort', call.abort);
    return call;
  }
}

function describe(envelope: FameEnvelope): string {
  const payload = envelope.frame.type === 'Data' ? (envelope.frame.payload as { method?: string }) : undefined;
  const method = payload?.method ? ` ${payload.method}` : '';
  return `call${method} to ${envelope.to ?? `capabilities ${JSON.stringify(envelope.capabilities)}`}`;
}
