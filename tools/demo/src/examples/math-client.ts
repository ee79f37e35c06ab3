/**
 * A client for `naylence sentinel` (docs/guides/run-a-sentinel.md): attaches to the sentinel at
 * FAME_DIRECT_ADMISSION_URL, calls `math@fame.fabric` (unary, streamed, by capability), prints
 * the results and exits.
 *
 *   FAME_DIRECT_ADMISSION_URL=ws://127.0.0.1:8000/fame/v1/attach/ws/downstream node tools/demo/dist/examples/math-client.js
 *
 * Optional: FAME_PARENT_TOKEN (bearer token), FAME_LOG_LEVEL (default warn), and the reference's
 * security and admission variables (FAME_SECURITY_PROFILE, FAME_ADMISSION_TOKEN_URL, …).
 */
import { createFabricFromEnv, createPinoLogger } from '@naylence/cli';

const url = process.env.FAME_DIRECT_ADMISSION_URL ?? 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream';
// FAME_LOG_LEVEL: the reference's names (WARNING, CRITICAL, OFF, …) or pino's; logs go to stderr.
const logger = createPinoLogger(process.env.FAME_LOG_LEVEL ?? 'warn');

async function main(): Promise<void> {
  // Security and admission from the reference's variables, as the agent (docs/guides/security-profiles.md).
  await using client = await createFabricFromEnv({ logger, parentUrl: url });
  const sum = await client.invoke<number>('math@fame.fabric', 'add', { x: 3, y: 4 });
  const fib = await client.invokeStream<number>('math@fame.fabric', 'fib', { n: 10 }).toArray();
  const byCapability = await client.invokeByCapability<number>(['math.v1'], 'add', { x: 10, y: 5 });
  const who = await client.invoke<string>('math@fame.fabric', 'whoami');
  process.stdout.write(`add(3, 4) = ${sum}\nfib(10) = ${fib.join(' ')}\nmath.v1 add(10, 5) = ${byCapability}\nserved by ${who}\n`);
}

try {
  await main();
} catch (error) {
  // e.g. "AttachError AUTHENTICATION_FAILED: parent refused the link: 1008 Authentication failed"
  const { name, code, message } = error as { name: string; code?: string; message: string };
  process.stderr.write(`${name}${code === undefined ? '' : ` ${code}`}: ${message}\n`);
  process.exitCode = 1;
}
