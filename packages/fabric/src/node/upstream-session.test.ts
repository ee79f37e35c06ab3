import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A process whose only activity is a node waiting to attach must stay alive through its
// backoff: nothing else holds it open (no socket exists between attempts).
const script = `
import { FameNode } from '@naylence/fabric';
import { ConnectorClosedError, NOOP_LOGGER } from '@naylence/core';
let attempts = 0;
const dialer = { transport: 'test', dial() { attempts++; console.log('attempt ' + attempts); return Promise.reject(new ConnectorClosedError('refused')); } };
const node = new FameNode({ logger: NOOP_LOGGER, upstream: { dialer, reconnect: { initialDelayMs: 30, maxDelayMs: 30, jitter: 0, maxInitialAttempts: 0 } } });
await node.start();
`;

describe('UpstreamSession', () => {
  it('keeps the process alive while it retries the first attach', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url) });
    try {
      const attempts = await new Promise<number>((resolve, reject) => {
        let seen = 0;
        child.stdout.on('data', (data: Buffer) => {
          seen += (data.toString().match(/attempt/g) ?? []).length;
          if (seen >= 4) resolve(seen);
        });
        child.on('exit', (code) => reject(new Error(`the process exited (code ${code}) after ${seen} attempts`)));
      });
      expect(attempts).toBeGreaterThanOrEqual(4);
    } finally {
      child.kill();
    }
  });
});
