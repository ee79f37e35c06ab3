import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NOOP_LOGGER } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { WebSocketDialer } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { parentNotUpYet, recordingIo } from './fixtures.test.util.js';
import { main, MAIN_USAGE, SENTINEL_USAGE } from './main.js';
import { runSentinel } from './sentinel.js';
import { cliVersion } from './version.js';

describe('naylence', () => {
  it('prints help and version', async () => {
    let r = recordingIo();
    expect(await main(['--help'], {}, r.io)).toBe(0);
    expect(r.stdout()).toBe(MAIN_USAGE);
    r = recordingIo();
    expect(await main(['sentinel', '--help'], {}, r.io)).toBe(0);
    expect(r.stdout()).toBe(SENTINEL_USAGE);
    for (const name of ['FAME_NODE_ID', 'FAME_LISTENER_PORT', 'FAME_SENTINEL_TOKEN', 'FAME_LOG_LEVEL', 'FAME_SHOW_ENVELOPES'])
      expect(SENTINEL_USAGE).toContain(name);
    r = recordingIo();
    expect(await main(['--version'], {}, r.io)).toBe(0);
    expect(r.stdout()).toBe(`${cliVersion()}\n`);
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on bad usage, saying why', async () => {
    let r = recordingIo();
    expect(await main(['bogus'], {}, r.io)).toBe(2);
    expect(r.stderr()).toContain('unknown command "bogus"');
    r = recordingIo();
    expect(await main(['sentinel', '--port', 'x'], {}, r.io)).toBe(2);
    expect(r.stderr()).toContain('invalid port "x"');
    r = recordingIo();
    expect(await main(['sentinel'], { FAME_LOG_LEVEL: 'chatty' }, r.io)).toBe(2);
    expect(r.stderr()).toContain('unknown log level');
  });

  it('runs a sentinel until stopped, printing READY with the attach URL', async () => {
    const stop = new AbortController();
    const r = recordingIo(stop.signal);
    const exit = main(['sentinel', '--host', '127.0.0.1', '--id', 'cli-hub'], { FAME_LISTENER_PORT: '0', FAME_LOG_LEVEL: 'OFF' }, r.io);
    try {
      const url = await Promise.race([r.ready, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${r.stderr()}`)))]);
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/fame\/v1\/attach\/ws\/downstream$/);
      expect(r.stdout()).toMatch(/id\s+cli-hub/);
      await using client = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url }) });
      expect(client.physicalPath).toBe(`/cli-hub/${client.node.systemId}`);
    } finally {
      stop.abort('test');
    }
    expect(await exit).toBe(0);
    expect(r.stdout()).toMatch(/stopping \(test\)…\nstopped\n$/);
  });

  it('exits 1 when the sentinel cannot start', async () => {
    const r = recordingIo(new AbortController().signal);
    const code = await main(
      ['sentinel', '--host', '127.0.0.1', '--port', '0', '--parent', 'ws://127.0.0.1:1/nowhere'],
      { FAME_LOG_LEVEL: 'OFF' },
      r.io,
    );
    expect(code).toBe(1);
    expect(r.stderr()).toMatch(/could not start \[CONNECTOR_CLOSED\]/);
  });
});

describe('the naylence bin', () => {
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

  /** Spawn the built bin; `line(re)` resolves with the first stdout line matching `re`. */
  function spawnBin(args: string[], env: Record<string, string> = {}) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, FAME_LOG_LEVEL: 'WARNING', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stdout: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const waiters = new Set<() => void>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line);
      for (const waiter of [...waiters]) waiter();
    });
    const line = (re: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          for (const l of stdout) {
            const match = re.exec(l);
            if (match) {
              waiters.delete(check);
              return resolve(match);
            }
          }
        };
        waiters.add(check);
        check();
        void exited.then((code) => reject(new Error(`exited ${code} before ${re}: ${stderr}`)));
      });
    return {
      child,
      exited,
      stdout,
      stderr: () => stderr,
      line,
      async [Symbol.asyncDispose]() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      },
    };
  }

  it('refuses to start with a security profile it cannot enforce, naming the setting, instead of running open', async () => {
    for (const [env, error] of [
      [
        { FAME_SECURITY_PROFILE: 'gated' },
        '[INVALID_CONFIG]: security profile "gated", authorization profile "oauth2-gated" (FAME_AUTHORIZATION_PROFILE): FAME_JWT_TRUSTED_ISSUER is required',
      ],
      [{ FAME_SECURITY_PROFILE: 'strict-overlay' }, '[NOT_REGISTERED]'],
      [{ FAME_AUTHORIZATION_PROFILE: 'jwt' }, 'FAME_JWT_TRUSTED_ISSUER is required by the jwt authorization profile'],
      [{ FAME_ADMISSION_PROFILE: 'welcome' }, '[INVALID_CONFIG]: FAME_ADMISSION_SERVICE_URL is required by the welcome admission profile'],
      [{ FAME_ADMISSION_PROFILE: 'telepathy' }, '[INVALID_CONFIG]: FAME_ADMISSION_PROFILE=telepathy: unknown admission profile'],
    ] as const) {
      await using proc = spawnBin(['sentinel', '--port', '0', '--host', '127.0.0.1'], env);
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toContain(error);
      expect(proc.stdout.join('\n')).not.toContain('READY');
    }
  });

  it('starts a sentinel that prints READY, serves a client and exits 0 on SIGTERM', async () => {
    const id = `bin-${process.pid}`;
    await using proc = spawnBin(['sentinel', '--port', '0', '--host', '127.0.0.1', '--id', id]);
    const url = (await proc.line(/^READY (\S+)$/))[1]!;
    expect(proc.stdout.join('\n')).toContain(id);
    {
      await using agent = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url }) });
      await agent.serve('echo@fame.fabric', { echo: (p: unknown) => p });
      await using client = await createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url }) });
      expect(await client.invoke('echo@fame.fabric', 'echo', { hello: 'bin' })).toEqual({ hello: 'bin' });
    }
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.stdout.at(-1)).toBe('stopped');
  });

  it('stays up while it waits for its parent, attaches once the parent is there, and stops on SIGTERM meanwhile', async () => {
    await using parentPort = await parentNotUpYet();
    const args = ['sentinel', '--port', '0', '--host', '127.0.0.1', '--parent', parentPort.url, '--max-initial-attempts', '0'];
    {
      await using waiting = spawnBin([...args, '--id', `child-a-${process.pid}`]);
      await using root = await runSentinel({ server: parentPort.server, id: 'root', logger: NOOP_LOGGER });
      await waiting.line(/^READY /);
      expect(waiting.stdout.join('\n')).toContain(`/root/child-a-${process.pid}`);
      expect(root.fabric.node.isRunning).toBe(true);
      waiting.child.kill('SIGTERM');
      expect(await waiting.exited).toBe(0);
    }
    // No parent at all: SIGTERM while waiting still ends it cleanly.
    await using orphan = spawnBin([...args, '--id', `child-b-${process.pid}`, '--log-level', 'debug']);
    await new Promise<void>((resolve) => orphan.child.stderr.once('data', () => resolve()));
    orphan.child.kill('SIGTERM');
    expect(await orphan.exited).toBe(0);
    expect(orphan.stdout.at(-1)).toMatch(/^stopped before it was ready/);
  });
});
