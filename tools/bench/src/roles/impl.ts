/**
 * What a role process needs from an implementation. Ours (`ours.ts`), the bare `ws` relay
 * (`bare.ts`) and the reference (`../../reference/ref-impl.mjs`) each provide it, so the
 * measuring code in `host.ts` is the same for all three.
 *
 * Topology: a sentinel; an agent attached to it serving `add({x, y})` at `math@fame.fabric` and
 * counting one-way messages sent to `sink@fame.fabric`; clients attached to it.
 */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface BenchClient extends Stoppable {
  /** Calls `add({ x, y: 1 })` at `math@fame.fabric`; resolves with the result. */
  add(x: number, timeoutMs: number): Promise<number>;
  /** Sends a one-way message to `sink@fame.fabric` (or `to`). */
  send(payload: unknown, to?: string): Promise<void>;
}

/** How agents and clients attach to the sentinel. */
export type Transport = 'ws' | 'http';

export interface Impl {
  /** With `http`, the sentinel serves the HTTP ingress on the same port as WebSocket. */
  sentinel(transport?: Transport): Promise<Stoppable & { readonly port: number }>;
  agent(port: number, id: string, transport?: Transport): Promise<Stoppable & { delivered(): number }>;
  client(port: number, id: string, transport?: Transport): Promise<BenchClient>;
  /** A node serving `add` in this process, with no network (not for the bare relay). */
  inproc?(): Promise<BenchClient>;
  /**
   * A consumer of one-way messages at `address`: a healthy one takes each at once, a stuck one
   * stays attached (heartbeats go on) but never finishes handling a message (not for the bare
   * relay).
   */
  consumer?(port: number, id: string, address: string, stuck: boolean): Promise<Stoppable>;
}
