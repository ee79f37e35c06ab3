/**
 * The README's main job: a sentinel, a math agent and a client on 127.0.0.1, talking over real
 * WebSockets. It makes a few calls (unary, streamed, by capability, two that must fail, a
 * burst), prints what happened with timings, and stops everything.
 *
 * Run it with `pnpm demo`; import {@link main} to run it from code (the test does).
 */
import { pathToFileURL } from 'node:url';
import { isFameError, RpcError, type Logger, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import { WebSocketDialer } from '@naylence/transport-ws';
import { createPinoLogger, runSentinel, type RunningSentinel } from '@naylence/cli';

/** The agent's service: every method is callable over the fabric; `fib` streams. */
class MathAgent {
  add({ x, y }: { x: number; y: number }): number {
    return x + y;
  }
  divide({ x, y }: { x: number; y: number }): number {
    if (y === 0) throw new Error('division by zero');
    return x / y;
  }
  async *fib({ n }: { n: number }): AsyncGenerator<number> {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) {
      yield a;
      [a, b] = [b, a + b];
    }
  }
}

export interface DemoOptions {
  /** Where the report goes, one line per call. Default: stdout. */
  readonly write?: (line: string) => void;
  /** Default: pino at `error` on stderr (the demo's own output is the report). */
  readonly logger?: Logger;
}

export interface DemoStep {
  readonly label: string;
  readonly ok: boolean;
  /** What came back, as printed. */
  readonly outcome: string;
  readonly ms: number;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly steps: readonly DemoStep[];
  readonly totalMs: number;
}

const TOKEN = 'demo-secret';
const tokenOf = (value: string): TokenProvider => ({ getToken: () => Promise.resolve({ value }) });

/** Run the demo. Resolves with what happened; never leaves a socket or timer behind. */
export async function main(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const logger = options.logger ?? createPinoLogger('error');
  const steps: DemoStep[] = [];
  const started = performance.now();

  /** Time `fn`, record and print one aligned line. `expectCode` marks a step that must fail with that code. */
  const step = async (label: string, fn: () => Promise<string>, expectCode?: string): Promise<void> => {
    const t0 = performance.now();
    let ok: boolean;
    let outcome: string;
    try {
      outcome = `= ${await fn()}`;
      ok = expectCode === undefined;
      if (!ok) outcome += `  (expected ${expectCode})`;
    } catch (error) {
      const code = isFameError(error) ? error.code : 'ERROR';
      ok = expectCode !== undefined && code === expectCode;
      outcome = `→ ${describeError(error)}${ok ? '  (expected)' : ''}`;
    }
    const ms = performance.now() - t0;
    steps.push({ label, ok, outcome, ms });
    write(`  ${ok ? '✓' : '✗'} ${label.padEnd(34)} ${fit(outcome, 56).padEnd(56)} ${formatMs(ms)}`);
  };

  write('Naylence fabric demo: a sentinel, a math agent and a client over real WebSockets on 127.0.0.1');
  write('');
  let sentinel: RunningSentinel | undefined;
  let agent: Fabric | undefined;
  let client: Fabric | undefined;
  try {
    await step('sentinel starts', async () => {
      sentinel = await runSentinel({ id: 'demo-sentinel', host: '127.0.0.1', port: 0, tokens: [TOKEN], logger });
      return `listening on ${sentinel.url.replace('/fame/v1/attach/ws/downstream', '')}, token required`;
    });
    const url = sentinel!.url;
    const dialer = (token: string) => new WebSocketDialer({ url, tokenProvider: tokenOf(token), logger });

    await step('math agent attaches', async () => {
      agent = await createFabric({ systemId: 'math-agent', logger, connect: dialer(TOKEN) });
      await agent.serve('math@fame.fabric', new MathAgent(), { capabilities: ['math.v1'] });
      return `${agent.physicalPath}, serves math@fame.fabric`;
    });
    await step('client attaches', async () => {
      client = await createFabric({ systemId: 'client', logger, connect: dialer(TOKEN) });
      return client.physicalPath;
    });
    await step(
      'intruder with a wrong token',
      async () => {
        const intruder = await createFabric({ systemId: 'intruder', logger, connect: dialer('guess') });
        await intruder.stop();
        return 'attached?!';
      },
      'AUTHENTICATION_FAILED',
    );
    write('');

    const c = client!;
    await step('add(3, 4)', async () => String(await c.invoke<number>('math@fame.fabric', 'add', { x: 3, y: 4 })));
    await step('fib(10), streamed', async () => {
      const items = await c.invokeStream<number>('math@fame.fabric', 'fib', { n: 10 }).toArray();
      return `${items.join(' ')}  (${items.length} items)`;
    });
    await step('by capability math.v1: add(10, 5)', async () =>
      String(await c.invokeByCapability<number>(['math.v1'], 'add', { x: 10, y: 5 })),
    );
    await step('divide(1, 0)', async () => String(await c.invoke('math@fame.fabric', 'divide', { x: 1, y: 0 })), 'RPC_REMOTE_ERROR');
    await step('add at nobody@fame.fabric', async () => String(await c.invoke('nobody@fame.fabric', 'add', { x: 1, y: 1 })), 'NO_ROUTE');
    await step('500 concurrent adds', async () => {
      const t0 = performance.now();
      const sums = await Promise.all(Array.from({ length: 500 }, (_, i) => c.invoke<number>('math@fame.fabric', 'add', { x: i, y: i })));
      const wrong = sums.filter((sum, i) => sum !== 2 * i).length;
      if (wrong > 0) throw new Error(`${wrong} wrong sums`);
      const perSecond = Math.round(500 / ((performance.now() - t0) / 1000));
      return `all correct, ${perSecond.toLocaleString('en-US')} calls/s`;
    });
    write('');
  } finally {
    await step('client, agent, sentinel stop', async () => {
      await client?.stop();
      await agent?.stop();
      await sentinel?.stop();
      return 'all links closed';
    });
  }

  const failed = steps.filter((s) => !s.ok).length;
  const totalMs = performance.now() - started;
  write('');
  write(
    failed === 0
      ? `All ${steps.length} steps behaved as expected in ${formatMs(totalMs).trim()}.`
      : `${failed} of ${steps.length} steps went wrong (${formatMs(totalMs).trim()}).`,
  );
  return { ok: failed === 0, steps, totalMs };
}

function describeError(error: unknown): string {
  if (error instanceof RpcError) return `RpcError ${error.rpcCode}: ${error.rpcMessage}`;
  if (isFameError(error) && error.name === 'DeliveryNackError') {
    const nack = error as typeof error & { ackCode: string; reason?: string };
    return `NACK ${nack.ackCode}: ${nack.reason ?? ''}`;
  }
  if (isFameError(error)) return `${error.name} ${error.code}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`.padStart(9);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const result = await main();
  process.exitCode = result.ok ? 0 : 1;
}
