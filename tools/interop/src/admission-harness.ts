/**
 * Admission roles for the interop scenarios: the reference welcome server, reference agents and
 * clients admitted by the profile `FAME_ADMISSION_PROFILE` names (`--admission`), and our
 * `naylence` CLI as a process (the built bin, as a user runs it).
 */
import { spawnReference, uniqueId, type JsonLine, type RoleProcess } from './harness.js';

/** Our CLI's entry point, relative to the reference scripts' folder (where `spawnReference` starts scripts). */
const CLI_BIN = '../../../packages/cli/dist/bin.js';

/** The reference welcome server with this `FAME_CONFIG` (its `plugins` key is added). */
export async function startReferenceWelcome(
  welcome: Record<string, unknown>,
  env: Readonly<Record<string, string>> = {},
): Promise<RoleProcess & { readonly url: string; readonly helloUrl: string; readonly jwksUrl: string }> {
  const config = JSON.stringify({ plugins: ['@naylence/runtime'], welcome });
  const proc = spawnReference('ref-welcome.mjs', { env: { FAME_CONFIG: config, ...env }, name: 'ref-welcome' });
  try {
    await proc.ready();
    const ready = await proc.waitFor((l) => l.event === 'READY');
    return Object.assign(proc, { url: String(ready.url), helloUrl: String(ready.helloUrl), jwksUrl: String(ready.jwksUrl) });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** A reference agent (serving `math@fame.fabric`) admitted as `env.FAME_ADMISSION_PROFILE` says; resolves once attached. */
export async function startReferenceAdmittedAgent(
  env: Readonly<Record<string, string>>,
  options: { id?: string; capability?: string } = {},
): Promise<RoleProcess & { readonly id: string; readonly ready: JsonLine }> {
  const id = options.id ?? uniqueId('ref-agent');
  const args = ['--admission', `--id=${id}`];
  if (options.capability !== undefined) args.push(`--capability=${options.capability}`);
  const proc = spawnReference('ref-agent.mjs', { args, env, name: `ref-agent ${id}` });
  try {
    await proc.ready();
    const ready = await proc.waitFor((l) => l.event === 'READY');
    return Object.assign(proc, { id, ready });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}

/** A reference client admitted as `env.FAME_ADMISSION_PROFILE` says, running `tests`; resolves when it exits. */
export async function runReferenceAdmittedClient(
  env: Readonly<Record<string, string>>,
  tests: string,
  options: { id?: string; n?: number; timeoutMs?: number } = {},
): Promise<{ exit: { code: number | null }; result(test: string): JsonLine }> {
  const id = options.id ?? uniqueId('ref-client');
  const args = ['--admission', `--id=${id}`, `--tests=${tests}`, ...(options.n !== undefined ? [`--n=${options.n}`] : [])];
  if (options.timeoutMs !== undefined) args.push(`--timeout=${options.timeoutMs}`);
  await using proc = spawnReference('ref-client.mjs', { args, env, name: `ref-client ${id}` });
  const exit = await proc.finished(60_000);
  const lines = [...proc.lines];
  const stderr = proc.stderr;
  return {
    exit,
    result(test) {
      const line = lines.find((l) => l.test === test);
      if (line === undefined) throw new Error(`ref-client printed no result for ${test}: ${JSON.stringify(lines)}\n${stderr.slice(-2000)}`);
      return line;
    },
  };
}

/** `naylence <args>` as a process (the built CLI); resolves once it prints `READY <url>`, with that URL. */
export async function startOurCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<RoleProcess & { readonly readyUrl: string }> {
  const proc = spawnReference(CLI_BIN, { args, env: { FAME_LOG_LEVEL: 'warn', ...env }, name: `naylence ${args[0] ?? ''}` });
  try {
    const readyUrl = await proc.ready();
    return Object.assign(proc, { readyUrl });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}
