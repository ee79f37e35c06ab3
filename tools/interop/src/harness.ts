/**
 * A small process harness for the reference role scripts in `../reference/`: spawn one, wait
 * for its READY line, read its JSON lines, and always kill it (use `await using`).
 *
 * The scripts print one JSON object per line on stdout plus a plain `READY …` line once they
 * listen or are attached (see `reference/*.mjs` headers). The runtime's own logs go to stderr,
 * which the harness keeps for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomId } from '@naylence/core';

/** Folder of the reference role scripts. */
export const REFERENCE_DIR = fileURLToPath(new URL('../reference/', import.meta.url));

/** One JSON line printed by a reference script. */
export type JsonLine = Record<string, unknown>;

export interface SpawnOptions {
  /** Extra arguments (`--key=value`). */
  readonly args?: readonly string[];
  /** Extra environment (on top of ours; FAME_LOG_LEVEL defaults to WARNING). */
  readonly env?: Readonly<Record<string, string>>;
  /** Name used in error messages. Default: the script name. */
  readonly name?: string;
  /** Run this file instead of `reference/<script>` (our CLI, for instance). */
  readonly scriptPath?: string;
}

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A node id no other process of this run uses (the reference's default ids collide). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomId(8)}`;
}

/** A running reference script. Dispose it to stop it (SIGTERM, then SIGKILL). */
export class RoleProcess implements AsyncDisposable {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every JSON line so far, in order. */
  readonly lines: JsonLine[] = [];
  /** Every line that is not JSON (READY …). */
  readonly textLines: string[] = [];
  readonly exited: Promise<Exit>;
  #stderr = '';
  #exit: Exit | undefined;
  #waiters = new Set<() => void>();

  constructor(script: string, options: SpawnOptions = {}) {
    this.name = options.name ?? script;
    this.child = spawn(process.execPath, [options.scriptPath ?? `${REFERENCE_DIR}${script}`, ...(options.args ?? [])], {
      cwd: REFERENCE_DIR,
      env: { ...process.env, NODE_NO_WARNINGS: '1', FAME_LOG_LEVEL: 'WARNING', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#notify();
        resolve(this.#exit);
      }),
    );
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      // Keep the tail only: the runtime can be chatty.
      this.#stderr = (this.#stderr + chunk).slice(-20_000);
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) {
        try {
          this.lines.push(JSON.parse(line) as JsonLine);
        } catch {
          this.textLines.push(line);
        }
      } else this.textLines.push(line);
      this.#notify();
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  get exitInfo(): Exit | undefined {
    return this.#exit;
  }

  /**
   * The first JSON line (from index `from`) matching `predicate`. Rejects when the process
   * exits first or after `timeoutMs` (a safety net against hangs, not a performance bound).
   */
  waitFor(predicate: (line: JsonLine) => boolean, options: { timeoutMs?: number; what?: string; from?: number } = {}): Promise<JsonLine> {
    return this.#wait(() => this.lines.slice(options.from ?? 0).find(predicate), options.what ?? 'a matching line', options.timeoutMs);
  }

  /** The READY line's text after `READY` (a port for the sentinel, '' for agents and clients). */
  ready(timeoutMs?: number): Promise<string> {
    return this.#wait(
      () => {
        const line = this.textLines.find((l) => l === 'READY' || l.startsWith('READY '));
        return line === undefined ? undefined : line.slice(6);
      },
      'READY',
      timeoutMs,
    );
  }

  /** The JSON line of a client probe (`{"test": name, …}`). */
  result(test: string, timeoutMs?: number): Promise<JsonLine> {
    return this.waitFor((l) => l.test === test, { what: `result of ${test}`, ...(timeoutMs !== undefined && { timeoutMs }) });
  }

  /** Resolves when the process exits on its own. */
  async finished(timeoutMs = 30_000): Promise<Exit> {
    return this.#wait(() => this.#exit, 'exit', timeoutMs, false);
  }

  /** Send `signal` and wait for the exit; SIGKILL if it does not exit within `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<Exit> {
    if (this.#exit) return this.#exit;
    this.child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #wait<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000, failOnExit = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value !== undefined) return done(() => resolve(value));
        if (failOnExit && this.#exit) {
          const { code, signal } = this.#exit;
          return done(() => reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before ${what}${this.#context()}`)));
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.#context()}`))),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  #context(): string {
    const out = this.lines.slice(-5).map((l) => JSON.stringify(l));
    return `\n--- last stdout lines:\n${out.join('\n')}\n--- stderr tail:\n${this.#stderr.slice(-3_000)}`;
  }
}

/** How a reference agent or client is configured. */
export interface ReferenceNodeOptions {
  readonly id?: string;
  /** A shared secret presented as bearer token (the scripts' own open-profile config). */
  readonly token?: string;
  /**
   * Run on the agent SDK's own `NODE_CONFIG` / `CLIENT_CONFIG`, configured by this environment
   * only (`FAME_SECURITY_PROFILE`, `FAME_ADMISSION_PROFILE`, `FAME_DIRECT_ADMISSION_URL`,
   * `FAME_ADMISSION_TOKEN_URL`, …), as the official examples run.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** `proc` once it printed its READY line, with the text after `READY`; killed if it never does. */
export async function started<T extends RoleProcess>(proc: T): Promise<T & { readonly readyText: string }> {
  try {
    return Object.assign(proc, { readyText: await proc.ready() });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** Start a reference role script (`ref-sentinel.mjs`, `ref-agent.mjs`, `ref-client.mjs`). */
export function spawnReference(script: string, options?: SpawnOptions): RoleProcess {
  return new RoleProcess(script, options);
}

/** A reference sentinel on 127.0.0.1 (`security`: its security profile, default `open`); resolves once it listens. */
export async function startReferenceSentinel(
  options: { id?: string; port?: number; token?: string; security?: string; env?: Readonly<Record<string, string>> } = {},
): Promise<RoleProcess & { readonly port: number; readonly url: string; readonly id: string }> {
  const id = options.id ?? uniqueId('ref-sentinel');
  const args = [`--id=${id}`, `--port=${options.port ?? 0}`, '--host=127.0.0.1'];
  if (options.token !== undefined) args.push(`--token=${options.token}`);
  if (options.security !== undefined) args.push(`--security=${options.security}`);
  const proc = spawnReference('ref-sentinel.mjs', { args, name: `ref-sentinel ${id}`, ...(options.env && { env: options.env }) });
  try {
    const port = Number(await proc.ready());
    return Object.assign(proc, { port, url: attachUrl(port), id });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** A reference agent serving `math@fame.fabric` (add, fib, whoami, sleep, fail); resolves once attached. */
export async function startReferenceAgent(
  url: string,
  options: ReferenceNodeOptions & { capability?: string; pool?: boolean; service?: string } = {},
): Promise<RoleProcess & { readonly id: string }> {
  const id = options.id ?? uniqueId('ref-agent');
  const args = [`--url=${url}`, `--id=${id}`];
  if (options.service !== undefined) args.push(`--service=${options.service}`);
  if (options.capability !== undefined) args.push(`--capability=${options.capability}`);
  if (options.pool) args.push('--pool');
  if (options.token !== undefined) args.push(`--token=${options.token}`);
  if (options.env !== undefined) args.push('--sdk-config');
  const proc = spawnReference('ref-agent.mjs', { args, name: `ref-agent ${id}`, ...(options.env !== undefined && { env: options.env }) });
  try {
    await proc.ready();
    return Object.assign(proc, { id });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/**
 * A reference agent attached over HTTP with the `direct-http` admission profile, configured the
 * way the reference documents it (env `FAME_ADMISSION_PROFILE=direct-http`,
 * `FAME_DIRECT_ADMISSION_URL`, the OAuth2 client-credentials variables the profile always
 * needs, optionally `FAME_PUBLIC_URL`) plus an `HttpListener` of its own on an ephemeral
 * port for the parent's callbacks. Resolves once attached, with that listener's port.
 */
export async function startReferenceHttpAgent(
  ingressUrl: string,
  options: { tokenUrl: string; id?: string; capability?: string; publicUrl?: string; env?: Readonly<Record<string, string>> },
): Promise<RoleProcess & { readonly id: string; readonly callbackPort: number }> {
  const id = options.id ?? uniqueId('ref-http-agent');
  const args = [`--url=${ingressUrl}`, `--id=${id}`, '--http'];
  if (options.capability !== undefined) args.push(`--capability=${options.capability}`);
  const env: Record<string, string> = {
    FAME_ADMISSION_PROFILE: 'direct-http',
    FAME_DIRECT_ADMISSION_URL: ingressUrl,
    FAME_ADMISSION_TOKEN_URL: options.tokenUrl,
    FAME_ADMISSION_CLIENT_ID: 'interop-client',
    FAME_ADMISSION_CLIENT_SECRET: 'interop-secret',
    FAME_JWT_AUDIENCE: 'fame.fabric',
    ...(options.publicUrl !== undefined && { FAME_PUBLIC_URL: options.publicUrl }),
    ...options.env,
  };
  const proc = spawnReference('ref-agent.mjs', { args, env, name: `ref-http-agent ${id}` });
  try {
    await proc.ready();
    const ready = await proc.waitFor((l) => l.event === 'READY');
    const ports = ready.listenerPorts as Record<string, number> | undefined;
    return Object.assign(proc, { id, callbackPort: ports?.HttpListener ?? 0 });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/**
 * A reference client that runs `tests` (comma-separated probe names of ref-client.mjs) and
 * exits; resolves with all its JSON lines once it has exited.
 */
export async function runReferenceClient(
  url: string,
  tests: string,
  options: ReferenceNodeOptions & { capability?: string; calls?: number; n?: number; timeoutMs?: number } = {},
): Promise<{ lines: JsonLine[]; exit: Exit; result(test: string): JsonLine; stderr: string }> {
  const id = options.id ?? uniqueId('ref-client');
  const args = [`--url=${url}`, `--id=${id}`, `--tests=${tests}`];
  if (options.token !== undefined) args.push(`--token=${options.token}`);
  if (options.capability !== undefined) args.push(`--capability=${options.capability}`);
  if (options.calls !== undefined) args.push(`--calls=${options.calls}`);
  if (options.n !== undefined) args.push(`--n=${options.n}`);
  if (options.env !== undefined) args.push('--sdk-config');
  await using proc = spawnReference('ref-client.mjs', {
    args,
    name: `ref-client ${id}`,
    ...(options.env !== undefined && { env: options.env }),
  });
  const exit = await proc.finished(options.timeoutMs ?? 60_000);
  const lines = [...proc.lines];
  return {
    lines,
    exit,
    stderr: proc.stderr,
    result(test) {
      const line = lines.find((l) => l.test === test);
      if (line === undefined)
        throw new Error(`ref-client printed no result for ${test}: ${JSON.stringify(lines)}\n${proc.stderr.slice(-2000)}`);
      return line;
    },
  };
}

/** The HTTP ingress URL of a sentinel on 127.0.0.1:`port` (children POST to `{url}/{systemId}`). */
export function ingressUrl(port: number): string {
  return `http://127.0.0.1:${port}/fame/v1/ingress/downstream`;
}

/** The attach URL of a WebSocket sentinel on 127.0.0.1:`port`. */
export function attachUrl(port: number): string {
  return `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`;
}

/** Our `naylence` command (the built `@naylence/cli` bin). */
export const NAYLENCE_BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@naylence/cli/package.json')), 'dist', 'bin.js');

/**
 * `naylence <args>` as a process, configured by `env` only (plus flags); resolves once it
 * printed `READY <url>`, with that URL. Dispose it to stop it (SIGTERM, then SIGKILL).
 */
export async function startNaylence(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  name = `naylence ${args[0] ?? ''}`,
): Promise<RoleProcess & { readonly url: string }> {
  const proc = new RoleProcess('naylence', { args, env, name, scriptPath: NAYLENCE_BIN });
  try {
    return Object.assign(proc, { url: await proc.ready() });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}
