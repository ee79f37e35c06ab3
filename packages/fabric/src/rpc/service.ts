import type { FameEnvelope } from '@naylence/core';

/** What a service method gets besides its params. */
export interface CallContext {
  /** The request envelope (read-only by convention). */
  readonly envelope: FameEnvelope;
  /** Aborted when the caller cancels, the call times out at the caller, or the fabric stops. */
  readonly signal: AbortSignal;
  /** The JSON-RPC method name as called. */
  readonly method: string;
}

/**
 * A service method: takes the call's params (the JSON-RPC `params` object) and returns a value,
 * a promise, or an `AsyncIterable` (a stream: each item is one response, `null` ends it).
 */
export type ServiceMethod<P = any, R = unknown> = (params: P, context: CallContext) => R; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A plain object or class instance whose function-valued members are RPC methods. */
export type Service = object;

export interface MethodOptions {
  /** Name on the wire; defaults to the property name. */
  readonly name?: string;
  /** Declares that the method streams (otherwise detected from its return value). */
  readonly streaming?: boolean;
}

const METHOD_OPTIONS = Symbol.for('naylence.rpc.method');

/**
 * Attach wire metadata to a method without decorators:
 * `{ sum: rpcMethod((p) => …, { name: 'math.sum' }) }`.
 */
export function rpcMethod<F extends ServiceMethod>(fn: F, options: MethodOptions): F {
  Object.defineProperty(fn, METHOD_OPTIONS, { value: options, enumerable: false });
  return fn;
}

export interface MethodEntry {
  readonly wireName: string;
  readonly fn: ServiceMethod;
  readonly streaming: boolean | undefined;
}

/**
 * The callable methods of a service by wire name: own and inherited function properties
 * (class methods included), minus the constructor, `Object.prototype` members and names
 * starting with `_`.
 */
export function discoverMethods(service: Service): Map<string, MethodEntry> {
  const methods = new Map<string, MethodEntry>();
  for (let proto: object | null = service; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || key.startsWith('_')) continue;
      const fn = (service as Record<string, unknown>)[key];
      if (typeof fn !== 'function') continue;
      const options = (fn as { [METHOD_OPTIONS]?: MethodOptions })[METHOD_OPTIONS];
      const wireName = options?.name ?? key;
      if (methods.has(wireName)) continue; // the most derived definition wins
      methods.set(wireName, { wireName, fn: (fn as ServiceMethod).bind(service), streaming: options?.streaming });
    }
  }
  return methods;
}

/**
 * The reference's argument convention (protocol-core §6.5): `params` with an `args` array
 * and/or a `kwargs` object carries positional and keyword arguments. Our methods take one
 * params object, so `{args:[p]}` and `{kwargs:p}` both become `p`.
 */
export function normalizeParams(params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params ?? {};
  const record = params as { args?: unknown; kwargs?: unknown };
  const keys = Object.keys(record);
  const onlyArgsKwargs = keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs');
  if (!onlyArgsKwargs) return params;
  const args = Array.isArray(record.args) ? record.args : [];
  const kwargs = typeof record.kwargs === 'object' && record.kwargs !== null ? (record.kwargs as Record<string, unknown>) : {};
  const hasKwargs = Object.keys(kwargs).length > 0;
  if (args.length === 0) return kwargs;
  if (args.length === 1 && !hasKwargs) return args[0];
  return params;
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Typed client view of a service: every method returns a promise (or a stream for generators). */
export type ServiceProxy<S> = {
  [K in keyof S as S[K] extends (...args: never[]) => unknown ? K : never]: S[K] extends (params: infer P, ...rest: never[]) => infer R
    ? R extends AsyncIterable<infer T>
      ? (params: P, options?: { signal?: AbortSignal; timeoutMs?: number }) => AsyncIterable<T>
      : (params: P, options?: { signal?: AbortSignal; timeoutMs?: number }) => Promise<Awaited<R>>
    : never;
};
