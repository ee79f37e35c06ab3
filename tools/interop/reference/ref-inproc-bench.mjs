// In-process RPC throughput of the reference fabric (no network, no sentinel).
// Usage: node ref-inproc-bench.mjs [--n=5000] [--concurrency=64] [--warmup=500] [--stream-n=0]
// Env fallbacks: BENCH_N, BENCH_CONCURRENCY, BENCH_WARMUP.
// Prints one JSON line per phase with ops/s.
import { rt, PKGS, emit, parseArgs, describeError } from './_common.mjs';

const args = parseArgs();
const N = Number(args.n ?? process.env.BENCH_N ?? 5000);
const C = Number(args.concurrency ?? process.env.BENCH_CONCURRENCY ?? 64);
const WARMUP = Number(args.warmup ?? process.env.BENCH_WARMUP ?? 500);
const STREAM_N = Number(args['stream-n'] ?? 0);

const service = {
  async handleRpcRequest(method, params) {
    if (method === 'add') return params.x + params.y;
    if (method === 'fib') {
      return (async function* () {
        let a = 0,
          b = 1;
        for (let i = 0; i < params.n; i++) {
          yield a;
          [a, b] = [b, a + b];
        }
      })();
    }
    throw new Error(`Method not found: ${method}`);
  },
};

async function sequential(fabric, addr, n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await fabric.invoke(addr, 'add', { x: i, y: 1 });
    if (r !== i + 1) throw new Error(`bad result ${r}`);
  }
  return performance.now() - t;
}

async function concurrent(fabric, addr, n, c) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        const i = next++;
        const r = await fabric.invoke(addr, 'add', { x: i, y: 1 });
        if (r !== i + 1) throw new Error(`bad result ${r}`);
      }
    }),
  );
  return performance.now() - t;
}

// No rootConfig: the fabric builds a standalone (root, no parent, no listeners) Node.
// withFabric() creates it, enters it (start + make current) and exits it afterwards.
const tCreate = performance.now();
await rt.withFabric(async (fabric) => {
  const addr = await fabric.serve(service, 'math');
  emit({
    event: 'READY',
    pkgs: PKGS,
    runtimeVersion: rt.VERSION,
    role: 'inproc',
    address: String(addr),
    node: fabric.node?.constructor?.name,
    id: fabric.node?.id,
    startup_ms: +(performance.now() - tCreate).toFixed(1),
    node_version: process.version,
  });
  try {
    await sequential(fabric, addr, WARMUP);
    const seqMs = await sequential(fabric, addr, N);
    emit({
      phase: 'sequential',
      n: N,
      ms: +seqMs.toFixed(1),
      ops_per_s: Math.round(N / (seqMs / 1000)),
      us_per_op: +((seqMs * 1000) / N).toFixed(1),
    });
    await concurrent(fabric, addr, WARMUP, C);
    const conMs = await concurrent(fabric, addr, N, C);
    emit({
      phase: `concurrency_${C}`,
      n: N,
      ms: +conMs.toFixed(1),
      ops_per_s: Math.round(N / (conMs / 1000)),
      us_per_op: +((conMs * 1000) / N).toFixed(1),
    });
    if (STREAM_N > 0) {
      const t = performance.now();
      let count = 0;
      for await (const _ of await fabric.invokeStream(addr, 'fib', { n: STREAM_N })) count++;
      const ms = performance.now() - t;
      emit({ phase: 'stream', items: count, ms: +ms.toFixed(1), items_per_s: Math.round(count / (ms / 1000)) });
    }
  } catch (err) {
    emit({ phase: 'error', error: describeError(err) });
  }
});
if (globalThis.gc) globalThis.gc(); // run with --expose-gc for a post-GC heap figure
const mem = process.memoryUsage();
emit({ event: 'done', rss_mb: Math.round(mem.rss / 1e6), heap_used_mb: Math.round(mem.heapUsed / 1e6), gc: Boolean(globalThis.gc) });
