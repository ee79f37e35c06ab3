/** Starts bench role processes (`roles/host.ts`) and talks to them. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ImplName, RoleSpec, Stats } from './roles/host.js';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = fileURLToPath(new URL('./roles/host.js', import.meta.url));

export const IMPLS: readonly ImplName[] = ['ours', 'reference', 'bare'];
let profiles = 0;

/** The order of implementations in round `r`, rotated so no one always goes first. */
export function implOrder<T>(impls: readonly T[], round: number): T[] {
  const k = round % impls.length;
  return [...impls.slice(k), ...impls.slice(0, k)];
}

/** Environment of every child: the reference resolves under its aliases and stays quiet. */
const CHILD_ENV = {
  ...process.env,
  REF_RUNTIME_PKG: 'ref-runtime',
  REF_SDK_PKG: 'ref-agent-sdk',
  FAME_LOG_LEVEL: 'OFF',
  NODE_NO_WARNINGS: '1',
};

export interface StartOptions {
  readonly nodeArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

export class RoleProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #stderr = '';
  #exited: Promise<number | null>;

  private constructor(
    readonly spec: RoleSpec,
    child: ChildProcess,
  ) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (process.env.BENCH_DEBUG) process.stderr.write(chunk);
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000);
    });
    void this.#exited.then((code) => {
      for (const p of this.#pending.values()) p.reject(this.#failure(`exited with ${code}`));
      this.#pending.clear();
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Spawns a role and waits for its `ready` line (whose fields it returns with the process). */
  static async start(spec: RoleSpec, options: StartOptions = {}): Promise<{ proc: RoleProcess; ready: Record<string, unknown> }> {
    // `pnpm bench --profile` writes a CPU profile of every role process (read with Chrome DevTools)
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const profile = profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${spec.impl}-${spec.role}-${++profiles}.cpuprofile`]
      : [];
    const child = spawn(process.execPath, [...profile, ...(options.nodeArgs ?? []), HOST, JSON.stringify(spec)], {
      cwd: BENCH_DIR,
      env: CHILD_ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const proc = new RoleProcess(spec, child);
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timeoutMs = options.readyTimeoutMs ?? 30_000;
      const timer = setTimeout(() => reject(proc.#failure(`not ready after ${timeoutMs} ms`)), timeoutMs);
      void proc.#exited.then((code) => reject(proc.#failure(`exited with ${code} before it was ready`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('@@')) return;
        const message = JSON.parse(line.slice(2)) as { event?: string; error?: string; reply?: number } & Record<string, unknown>;
        if (message.event === 'ready') {
          clearTimeout(timer);
          resolve(message);
        } else if (message.event === 'failed') {
          reject(proc.#failure(message.error ?? 'failed'));
        } else if (typeof message.reply === 'number') {
          const pending = proc.#pending.get(message.reply);
          proc.#pending.delete(message.reply);
          if (message.error !== undefined) pending?.reject(proc.#failure(message.error));
          else pending?.resolve(message);
        }
      });
    }).catch((error: unknown) => {
      proc.kill();
      throw error;
    });
    return { proc, ready };
  }

  /** Sends a command and waits for its reply. */
  request<T = Record<string, unknown>>(cmd: string, args: object = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(this.#failure(`no reply to ${cmd} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.#child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    });
  }

  stats(gc = false): Promise<Stats> {
    return this.request<Stats>('stats', { gc });
  }

  /** Asks the role to stop; kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 4_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.stdin!.end(`${JSON.stringify({ id: 0, cmd: 'stop' })}\n`);
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }

  #failure(what: string): Error {
    return new Error(
      `${this.spec.impl} ${this.spec.role} (pid ${this.#child.pid}): ${what}\n${this.#stderr.trim().split('\n').slice(-8).join('\n')}`,
    );
  }
}

/** Starts roles and stops them all however `fn` ends. */
export async function withRoles<T>(
  fn: (start: (spec: RoleSpec, options?: StartOptions) => Promise<{ proc: RoleProcess; ready: Record<string, unknown> }>) => Promise<T>,
): Promise<T> {
  const started: RoleProcess[] = [];
  try {
    return await fn(async (spec, options) => {
      const r = await RoleProcess.start(spec, options);
      started.push(r.proc);
      return r;
    });
  } finally {
    await Promise.all(started.reverse().map((p) => p.stop()));
  }
}
