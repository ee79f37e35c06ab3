/**
 * A math agent for `naylence sentinel` (docs/guides/run-a-sentinel.md): attaches to the
 * sentinel at FAME_DIRECT_ADMISSION_URL (the reference's variable for the same thing), serves
 * `math@fame.fabric` with the capability `math.v1`, and runs until SIGINT or SIGTERM.
 *
 *   FAME_DIRECT_ADMISSION_URL=ws://127.0.0.1:8000/fame/v1/attach/ws/downstream node tools/demo/dist/examples/math-agent.js
 *
 * Optional: FAME_NODE_ID (system id), FAME_PARENT_TOKEN (bearer token for a sentinel started
 * with --token), FAME_LOG_LEVEL (default warn), and the reference's security and admission
 * variables (FAME_SECURITY_PROFILE, FAME_ADMISSION_TOKEN_URL, …): see createFabricFromEnv.
 */
import { createFabricFromEnv, createPinoLogger } from '@naylence/cli';
import { mathService } from './math-service.js';

const url = process.env.FAME_DIRECT_ADMISSION_URL ?? 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream';
// FAME_LOG_LEVEL: the reference's names (WARNING, CRITICAL, OFF, …) or pino's; logs go to stderr.
const logger = createPinoLogger(process.env.FAME_LOG_LEVEL ?? 'warn');

// Start the sentinel first: a refused token, no sentinel or a bad URL reject here (AttachError, CONNECTOR_CLOSED, ConfigError).
// Security and admission come from the reference's variables (FAME_SECURITY_PROFILE,
// FAME_ADMISSION_PROFILE, FAME_ADMISSION_TOKEN_URL, …; docs/guides/security-profiles.md).
// It binds under fame.fabric only (what a welcome service is asked for, with FAME_ADMISSION_PROFILE=welcome).
const fabric = await createFabricFromEnv({ logger, parentUrl: url, requestedLogicals: ['fame.fabric'] });

await fabric.serve(
  'math@fame.fabric',
  {
    ...mathService,
    whoami: () => fabric.node.systemId,
  },
  { capabilities: ['math.v1'] },
);
process.stdout.write(`math agent ${fabric.physicalPath} serving math@fame.fabric (capability math.v1)\nREADY\n`);

const stop = async (): Promise<void> => {
  await fabric.stop();
  process.stdout.write('math agent stopped\n');
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
