#!/usr/bin/env node
/**
 * One bench role in its own process: `node host.js '{"impl":"ours","role":"client","port":1234}'`.
 *
 * Prints `@@{"event":"ready",…}` once up, then answers JSON commands read line by line on stdin
 * (`{"id":1,"cmd":"run",…}`) with `@@{"reply":1,…}` lines on stdout. Anything else on stdout
 * (the reference logs with console.log) is ignored by the parent. Exits when stdin closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { percentile } from '../measure.js';
import type { BenchClient, Impl, Transport } from './impl.js';

export type ImplName = 'ours' | 'reference' | 'bare';
export type RoleName = 'sentinel' | 'agent' | 'client' | 'inproc' | 'fanin' | 'http' | 'consumer' | 'producer';

export interface RoleSpec {
  readonly impl: ImplName;
  readonly role: RoleName;
  /** The sentinel's port (agent, client, fanin). */
  readonly port?: number;
  readonly id?: string;
  /** How agents and clients attach (default `ws`); with `http` the sentinel also serves the HTTP ingress on its port. */
  readonly transport?: Transport;
  /** consumer: the address it takes messages at, and whether it is stuck. */
  readonly address?: string;
  readonly stuck?: boolean;
  /**
   * Environment of the role, set before the implementation loads: the reference's variables
   * (`FAME_SECURITY_PROFILE`, `FAME_AUTHORIZATION_PROFILE`, `FAME_JWT_*`, `FAME_ADMISSION_*`),
   * which both implementations read.
   */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunArgs {
  readonly concurrency: number;
  /** Stop starting calls after this long. */
  readonly durationMs?: number;
  /** Stop after this many calls. */
  readonly calls?: number;
  readonly timeoutMs: number;
  /** Start calls at most at this rate (all callers together), to compare CPU per call at equal load. */
  readonly paceOpsPerSec?: number;
}

export interface RunResult {
  readonly ok: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  /** Latency percentiles of the successful calls, ms; null when none succeeded. */
  readonly p50: number | null;
  readonly p99: number | null;
  /** CPU time of this process during the run, µs. */
  readonly cpuUs: number;
  readonly firstError?: string;
}

export interface Stats {
  readonly cpuUs: number;
  readonly heapUsed: number;
  readonly rss: number;
  /** Peak RSS of the process so far (bytes). */
  readonly maxRss: number;
  readonly delivered?: number;
}

// The reference logs through console.log; keep stdout for the protocol.
console.log = console.error;
const emit = (message: object) => process.stdout.write(`@@${JSON.stringify(message)}\n`);
const spec = JSON.parse(process.argv[2]!) as RoleSpec;
Object.assign(process.env, spec.env);

async function loadImpl(name: ImplName): Promise<Impl> {
  if (name === 'ours') return (await import('./ours.js')).impl;
  if (name === 'bare') return (await import('./bare.js')).impl;
  const url = new URL('../../reference/ref-impl.mjs', import.meta.url).href;
  return ((await import(url)) as { impl: Impl }).impl;
}

function isTimeout(error: unknown): boolean {
  return /time(d)?\s?out/i.test(error instanceof Error ? `${error.name} ${error.message}` : String(error));
}

/** `concurrency` callers in a loop; latencies of the calls that succeeded. */
async function runCalls(client: BenchClient, args: RunArgs): Promise<RunResult> {
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let timeouts = 0;
  let next = 0;
  let firstError: string | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + (args.durationMs ?? Infinity);
  const limit = args.calls ?? Infinity;
  const pace = args.paceOpsPerSec;
  const caller = async () => {
    while (next < limit && performance.now() < deadline) {
      const x = next++;
      if (pace !== undefined) {
        const due = t0 + (x * 1000) / pace;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= deadline) break;
      }
      const start = performance.now();
      try {
        const result = await client.add(x, args.timeoutMs);
        if (result !== x + 1) throw new Error(`add(${x}, 1) returned ${JSON.stringify(result)}`);
        latencies.push(performance.now() - start);
        ok++;
      } catch (error) {
        if (isTimeout(error)) timeouts++;
        else errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, caller));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const p = (q: number) => (latencies.length > 0 ? percentile(latencies, q) : null);
  return {
    ok,
    errors,
    timeouts,
    elapsedMs,
    opsPerSec: ok / (elapsedMs / 1000),
    p50: p(50),
    p99: p(99),
    cpuUs: cpu.user + cpu.system,
    ...(firstError !== undefined && { firstError }),
  };
}

export interface ProduceArgs {
  /** Where the one-way messages go. */
  readonly to: string;
  /** Messages per second, paced in 10 ms slices. */
  readonly rate: number;
  readonly durationMs: number;
  readonly payloadBytes: number;
  /** Sends still unsettled above which a slice is skipped (the implementation holds them). */
  readonly maxPending: number;
}

/** One-way messages to `to` at a fixed rate; what was sent, refused, or could not even be started. */
async function produce(client: BenchClient, args: ProduceArgs): Promise<object> {
  const payload = 'x'.repeat(args.payloadBytes);
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  let pending = 0;
  const perSlice = Math.max(1, Math.round(args.rate / 100));
  const t0 = performance.now();
  for (let slice = 0; performance.now() - t0 < args.durationMs; slice++) {
    for (let i = 0; i < perSlice; i++) {
      if (pending >= args.maxPending) {
        skipped++;
        continue;
      }
      pending++;
      client.send({ slice, i, payload }, args.to).then(
        () => void (pending--, sent++),
        () => void (pending--, failed++),
      );
    }
    const next = t0 + (slice + 1) * 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return { sent, failed, skipped, pending };
}

/** Runs `count` tasks, at most `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

type Handler = (args: Record<string, unknown>) => Promise<object> | object;

async function start(): Promise<{ ready: object; handlers: Record<string, Handler>; stop: () => Promise<void> }> {
  if (spec.role === 'http') {
    // the bare Node baseline of cold-start
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { ready: { port: (server.address() as AddressInfo).port }, handlers: {}, stop: () => Promise.resolve() };
  }
  const impl = await loadImpl(spec.impl);
  const port = spec.port ?? 0;
  const id = spec.id ?? `${spec.impl}-${spec.role}-${process.pid}`;
  switch (spec.role) {
    case 'sentinel': {
      const sentinel = await impl.sentinel(spec.transport);
      return { ready: { port: sentinel.port }, handlers: {}, stop: () => sentinel.stop() };
    }
    case 'agent': {
      const agent = await impl.agent(port, id, spec.transport);
      return { ready: {}, handlers: { delivered: () => ({ delivered: agent.delivered() }) }, stop: () => agent.stop() };
    }
    case 'client':
    case 'inproc': {
      const t0 = performance.now();
      const client = spec.role === 'client' ? await impl.client(port, id, spec.transport) : await impl.inproc!();
      return {
        ready: { attachMs: performance.now() - t0 },
        handlers: { run: (args) => runCalls(client, args as unknown as RunArgs) },
        stop: () => client.stop(),
      };
    }
    case 'consumer': {
      const consumer = await impl.consumer!(port, id, spec.address ?? 'sink@fame.fabric', spec.stuck === true);
      return { ready: {}, handlers: {}, stop: () => consumer.stop() };
    }
    case 'producer': {
      const client = await impl.client(port, id);
      return {
        ready: {},
        handlers: {
          produce: (args) => produce(client, args as unknown as ProduceArgs),
          run: (args) => runCalls(client, args as unknown as RunArgs),
        },
        stop: () => client.stop(),
      };
    }
    case 'fanin': {
      const clients: BenchClient[] = [];
      return {
        ready: {},
        handlers: {
          attach: async (args) => {
            const { count, concurrency } = args as { count: number; concurrency: number };
            const latencies: number[] = [];
            let failures = 0;
            let firstError: string | undefined;
            await pool(count, concurrency, async (i) => {
              const t0 = performance.now();
              try {
                clients.push(await impl.client(port, `${id}-${i}`));
                latencies.push(performance.now() - t0);
              } catch (error) {
                failures++;
                firstError ??= String(error);
              }
            });
            return { latencies, failures, ...(firstError !== undefined && { firstError }) };
          },
          blast: async (args) => {
            const { oneway, timeoutMs } = args as { oneway: number; timeoutMs: number };
            let sent = 0;
            let sendErrors = 0;
            let rpcOk = 0;
            let rpcErrors = 0;
            let firstError: string | undefined;
            const fail = (error: unknown) => void (firstError ??= String(error));
            // everything at once, unpaced
            await Promise.all(
              clients.flatMap((client, i) => [
                ...Array.from({ length: oneway }, (_, k) =>
                  client.send({ client: i, k }).then(
                    () => void sent++,
                    (error: unknown) => void (sendErrors++, fail(error)),
                  ),
                ),
                client.add(i, timeoutMs).then(
                  (r) => void (r === i + 1 ? rpcOk++ : rpcErrors++),
                  (error: unknown) => void (rpcErrors++, fail(error)),
                ),
              ]),
            );
            return { sent, sendErrors, rpcOk, rpcErrors, ...(firstError !== undefined && { firstError }) };
          },
        },
        stop: async () => void (await Promise.allSettled(clients.map((c) => c.stop()))),
      };
    }
    default:
      throw new Error(`unknown role ${String(spec.role)}`);
  }
}

const stats = (args: Record<string, unknown>): Stats => {
  if (args.gc === true && globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuUs: cpu.user + cpu.system, heapUsed: mem.heapUsed, rss: mem.rss, maxRss: process.resourceUsage().maxRSS * 1024 };
};

async function stopAndExit(stop: () => Promise<void>): Promise<never> {
  // a bounded, best-effort stop: the bench must never hang on a peer that will not close
  await Promise.race([stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
  process.exit(0);
}

try {
  const { ready, handlers, stop } = await start();
  const all: Record<string, Handler> = { stats, ...handlers };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, cmd, ...args } = JSON.parse(line) as { id: number; cmd: string } & Record<string, unknown>;
    if (cmd === 'stop') {
      emit({ reply: id });
      void stopAndExit(stop);
      return;
    }
    const handler = all[cmd];
    Promise.resolve(handler ? handler(args) : Promise.reject(new Error(`unknown command ${cmd}`))).then(
      (result) => emit({ reply: id, ...result }),
      (error: unknown) => emit({ reply: id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  lines.on('close', () => void stopAndExit(stop));
  emit({ event: 'ready', pid: process.pid, ...ready });
} catch (error) {
  emit({ event: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(2);
}
