#!/usr/bin/env node
/**
 * What one attached node costs a sentinel, by component: `node --expose-gc dist/fanin-memory.js
 * [--impl ours|bare] [--nodes 1000] [--snapshot]`.
 *
 * The sentinel runs in this process; the clients attach from four helper processes (the
 * `fanin` role of `pnpm bench fanin`). Before and after the attach phase (both after a full GC)
 * it prints `process.memoryUsage()` and V8's heap spaces per attached node, and the sentinel's
 * CPU per attach; with `--snapshot` it also writes a heap snapshot before and after and prints
 * the per-node difference by constructor (count and self size), largest first: what each link
 * keeps alive, ours against the bare `ws` relay.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { withRoles } from './proc.js';
import type { ImplName } from './roles/host.js';
import type { Impl } from './roles/impl.js';

const { values } = parseArgs({
  options: {
    impl: { type: 'string', default: 'ours' },
    nodes: { type: 'string', default: '1000' },
    snapshot: { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
    alloc: { type: 'string' },
    settle: { type: 'string', default: '0' },
    cpu: { type: 'boolean', default: false },
  },
});
const implName = values.impl as ImplName;
const helpers = 4;
const perHelper = Math.ceil(Number(values.nodes) / helpers);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

process.env.FAME_LOG_LEVEL ??= 'OFF';
async function loadImpl(name: ImplName): Promise<Impl> {
  if (name === 'ours') return (await import('./roles/ours.js')).impl;
  if (name === 'bare') return (await import('./roles/bare.js')).impl;
  // the reference under its npm aliases, as the bench's role processes load it
  process.env.REF_RUNTIME_PKG ??= 'ref-runtime';
  process.env.REF_SDK_PKG ??= 'ref-agent-sdk';
  return ((await import(new URL('../reference/ref-impl.mjs', import.meta.url).href)) as { impl: Impl }).impl;
}
const impl = await loadImpl(implName);

interface Sample {
  readonly memory: NodeJS.MemoryUsage;
  readonly spaces: Record<string, { size: number; used: number; physical: number }>;
  readonly cpuUs: number;
}

function sample(): Sample {
  gc!();
  gc!();
  const spaces: Sample['spaces'] = {};
  for (const s of v8.getHeapSpaceStatistics())
    spaces[s.space_name] = { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size };
  const cpu = process.cpuUsage();
  return { memory: process.memoryUsage(), spaces, cpuUs: cpu.user + cpu.system };
}

/** Per constructor (`type:name`): count and self size of every node of a heap snapshot. */
function census(file: string): Map<string, { count: number; size: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { count: number; size: number }>();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!]!;
    let name = snapshot.strings[nodes[i + nameAt]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    else if (type === 'number') name = '(number)';
    else if (type === 'code') name = '(code)';
    else if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type}:${name}`;
    const entry = out.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}
interface AllocationProfile {
  head: AllocationNode;
}

/** Bytes allocated per attach (sampled, freed objects included) by function, and by package. */
function printAllocations(profile: AllocationProfile, nodes: number, top: number): void {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const walk = (node: AllocationNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^.*\/packages\//, '@naylence/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    const pkg = where.startsWith('@naylence/')
      ? where.split('/').slice(0, 2).join('/')
      : where.startsWith('node:') || where === ''
        ? '(node)'
        : where.split('/')[0]!;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const total = [...byFunction.values()].reduce((a, b) => a + b, 0);
  console.log(`allocated per attach (sampled): ${(total / nodes / 1024).toFixed(1)} KiB; by package:`);
  for (const [key, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${(bytes / nodes).toFixed(0).padStart(7)} B  ${key}`);
  console.log('by function:');
  for (const [key, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${(bytes / nodes).toFixed(0).padStart(7)} B  ${key}`);
}

const kib = (bytes: number, nodes: number) => (bytes / nodes / 1024).toFixed(2);

const sentinel = await impl.sentinel();
const tmp = path.join(os.tmpdir(), `fanin-memory-${process.pid}`);
try {
  await withRoles(async (start) => {
    const fans = await Promise.all(
      Array.from(
        { length: helpers },
        async (_, h) => (await start({ impl: implName, role: 'fanin', port: sentinel.port, id: `mem-${h}-${process.pid}` })).proc,
      ),
    );
    const settleMs = Number(values.settle);
    // settled: the process idle long enough for V8's memory reducer (it shrinks the young generation)
    const idle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
    if (settleMs > 0) await idle();
    const before = sample();
    const beforeFile = values.snapshot ? v8.writeHeapSnapshot(`${tmp}-before.heapsnapshot`) : undefined;
    // --alloc all: every allocation; promoted: what survived the young generation (alive at the end or died in the old one); alive: what is left
    const session = values.alloc !== undefined || values.cpu ? new Session() : undefined;
    if (session !== undefined && values.cpu) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    } else if (session !== undefined) {
      session.connect();
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 512,
        includeObjectsCollectedByMajorGC: values.alloc !== 'alive',
        includeObjectsCollectedByMinorGC: values.alloc === 'all',
      });
    }
    const cpu0 = process.cpuUsage();
    const replies = await Promise.all(
      fans.map((f) => f.request<{ latencies: number[]; failures: number }>('attach', { count: perHelper, concurrency: 16 }, 600_000)),
    );
    const cpu = process.cpuUsage(cpu0);
    const nodes = replies.reduce((n, r) => n + r.latencies.length, 0);
    const failures = replies.reduce((n, r) => n + r.failures, 0);
    if (values.cpu && session !== undefined) {
      const { profile } = (await session.post('Profiler.stop')) as { profile: object };
      writeFileSync(`${tmp}.cpuprofile`, JSON.stringify(profile));
      console.log(`CPU profile of the attach phase: ${tmp}.cpuprofile`);
    }
    if (values.alloc !== undefined) gc();
    const allocations =
      values.alloc === undefined || session === undefined
        ? undefined
        : ((await session.post('HeapProfiler.stopSampling')) as { profile: AllocationProfile }).profile;
    session?.disconnect();
    const after = sample();
    console.log(
      `${implName}: ${nodes} attached, ${failures} failed; sentinel CPU per attach ${((cpu.user + cpu.system) / nodes).toFixed(0)} µs`,
    );
    console.log('per attached node, KiB (after − before, post-GC):');
    for (const key of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const)
      console.log(`  ${key.padEnd(28)} ${kib(after.memory[key] - before.memory[key], nodes)}`);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    const [nb, na] = [before.spaces.new_space!, after.spaces.new_space!];
    console.log(
      `  new space before → after: committed ${mib(nb.size)} → ${mib(na.size)} MiB, physical ${mib(nb.physical)} → ${mib(na.physical)} MiB (V8 grows it under allocation; it is not per node)`,
    );
    for (const [name, s] of Object.entries(after.spaces)) {
      const b = before.spaces[name]!;
      console.log(
        `  ${name.padEnd(28)} used ${kib(s.used - b.used, nodes)}  committed ${kib(s.size - b.size, nodes)}  physical ${kib(s.physical - b.physical, nodes)}`,
      );
    }
    if (settleMs > 0) {
      await idle();
      const settled = sample();
      console.log(
        `settled (${settleMs} ms idle before and after), per node, KiB: rss ${kib(settled.memory.rss - before.memory.rss, nodes)}, heapUsed ${kib(settled.memory.heapUsed - before.memory.heapUsed, nodes)}, new space physical ${kib(settled.spaces.new_space!.physical - before.spaces.new_space!.physical, nodes)}, old space physical ${kib(settled.spaces.old_space!.physical - before.spaces.old_space!.physical, nodes)}`,
      );
    }
    if (allocations !== undefined) {
      printAllocations(allocations, nodes, Number(values.top));
      if (values.keep) {
        writeFileSync(`${tmp}.heapprofile`, JSON.stringify(allocations));
        console.log(`allocation profile kept: ${tmp}.heapprofile (Chrome DevTools, Memory tab)`);
      }
    }
    if (beforeFile !== undefined) {
      const afterFile = v8.writeHeapSnapshot(`${tmp}-after.heapsnapshot`);
      const [b, a] = [census(beforeFile), census(afterFile)];
      if (values.keep) console.log(`snapshots kept: ${beforeFile} ${afterFile}`);
      else {
        rmSync(beforeFile);
        rmSync(afterFile);
      }
      const diff = [...a].map(([key, v]) => {
        const was = b.get(key) ?? { count: 0, size: 0 };
        return { key, count: (v.count - was.count) / nodes, size: (v.size - was.size) / nodes };
      });
      diff.sort((x, y) => y.size - x.size);
      const total = diff.reduce((n, d) => n + d.size, 0);
      console.log(`heap snapshot, per node: ${total.toFixed(0)} bytes of self size; by constructor:`);
      for (const d of diff.slice(0, Number(values.top)))
        console.log(`  ${d.size.toFixed(0).padStart(6)} B  ${d.count.toFixed(2).padStart(6)} ×  ${d.key}`);
    }
  });
} finally {
  await sentinel.stop();
}
