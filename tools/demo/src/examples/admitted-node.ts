/**
 * A node admitted as FAME_ADMISSION_PROFILE says (docs/guides/admission.md): `welcome` (a welcome
 * server at FAME_ADMISSION_SERVICE_URL), `direct` / `open` (a WebSocket sentinel at
 * FAME_DIRECT_ADMISSION_URL), `direct-http` (its HTTP ingress), with the reference's variables.
 *
 *   node tools/demo/dist/examples/admitted-node.js serve   # serves math@fame.fabric until SIGINT/SIGTERM
 *   node tools/demo/dist/examples/admitted-node.js call    # calls add and fib once, prints, exits
 *
 * Optional: FAME_NODE_ID, FAME_NODE_IDENTITY_PROFILE, the OAuth2 variables FAME_ADMISSION_TOKEN_URL,
 * FAME_ADMISSION_CLIENT_ID, FAME_ADMISSION_CLIENT_SECRET, FAME_JWT_AUDIENCE, FAME_PUBLIC_URL (HTTP),
 * FAME_LOG_LEVEL (default warn).
 */
import { admitFromEnv, createPinoLogger } from '@naylence/cli';
import { createFabric } from '@naylence/fabric';
import { mathService } from './math-service.js';

const role = process.argv[2] === 'call' ? 'call' : 'serve';
const logger = createPinoLogger(process.env.FAME_LOG_LEVEL ?? 'warn');

// A missing setting or a refusal of the welcome service rejects here, naming it.
const admitted = await admitFromEnv({ logger, ...(role === 'serve' && { logicals: ['fame.fabric'] }) });
const fabric = await createFabric({ ...admitted.fabricOptions, logger });

if (role === 'call') {
  const sum = await fabric.invoke<number>('math@fame.fabric', 'add', { x: 3, y: 4 });
  const fib = await fabric.invokeStream<number>('math@fame.fabric', 'fib', { n: 10 }).toArray();
  process.stdout.write(
    `${fabric.physicalPath} (${admitted.profile} over ${admitted.dialer.transport}): add(3, 4) = ${sum}; fib(10) = ${fib.join(' ')}\n`,
  );
  await fabric.stop();
  await admitted.close();
} else {
  await fabric.serve('math@fame.fabric', mathService);
  process.stdout.write(
    `math agent ${fabric.physicalPath} admitted by ${admitted.profile}, attached over ${admitted.dialer.transport}\nREADY\n`,
  );
  const stop = async (): Promise<void> => {
    await fabric.stop();
    await admitted.close();
    process.stdout.write('math agent stopped\n');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
