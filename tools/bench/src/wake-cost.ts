#!/usr/bin/env node
/**
 * What a wake-up costs on this machine, by how long the process slept: `node
 * tools/bench/dist/wake-cost.js [--gaps 0,200,500,1000,2000] [--messages 3000]`.
 *
 * Two processes play ping-pong with one byte over TCP on 127.0.0.1; the echo side holds each
 * byte for a fixed time (busy, so the gap is exact) before sending it back. The pinging side
 * does the same tiny work per message whatever the gap, so on bare metal its CPU per message
 * and the round trip's overhead (wall time minus the gap) stay flat. Where they grow with the
 * gap, a process that sleeps longer pays more to wake up: every sequential benchmark (one
 * message in flight, each process idle between its turns) is then bounded by the machine,
 * and CPU per operation measured sequentially is not comparable with CPU at concurrency.
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import { parseArgs } from 'node:util';

interface Row {
  readonly gapUs: number;
  readonly cpuPerMessageUs: number;
  readonly roundTripOverheadUs: number;
}

function echo(holdUs: number): void {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => {
      const until = performance.now() + holdUs / 1000;
      while (performance.now() < until);
      socket.write(data);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
}

async function ping(port: number, messages: number, gapUs: number): Promise<Row> {
  return await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.setNoDelay(true);
      let received = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      socket.on('data', () => {
        if (++received < messages) {
          socket.write('x');
          return;
        }
        const cpu = process.cpuUsage(cpu0);
        const wallUs = ((performance.now() - t0) * 1000) / received;
        socket.destroy();
        resolve({ gapUs, cpuPerMessageUs: (cpu.user + cpu.system) / received, roundTripOverheadUs: wallUs - gapUs });
      });
      socket.write('x');
    });
    socket.on('error', reject);
  });
}

async function measure(gapUs: number, messages: number): Promise<Row> {
  const child = fork(new URL(import.meta.url), ['--echo', String(gapUs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`echo process exited with ${code}`)));
    });
    await ping(port, Math.min(200, messages), gapUs); // warm-up
    return await ping(port, messages, gapUs);
  } finally {
    child.kill();
  }
}

const { values } = parseArgs({
  options: {
    echo: { type: 'string' },
    gaps: { type: 'string', default: '0,200,500,1000,2000' },
    messages: { type: 'string', default: '3000' },
  },
});

if (values.echo !== undefined) {
  echo(Number(values.echo));
} else {
  const messages = Number(values.messages);
  console.log('| gap (µs) | pinger CPU per message (µs) | round-trip overhead (µs) |');
  console.log('| -------- | --------------------------- | ------------------------ |');
  for (const gap of values.gaps.split(',').map(Number)) {
    const row = await measure(gap, messages);
    console.log(`| ${row.gapUs} | ${row.cpuPerMessageUs.toFixed(1)} | ${row.roundTripOverheadUs.toFixed(1)} |`);
  }
}
