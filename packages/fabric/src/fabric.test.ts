import { spawn } from 'node:child_process';
import { createEnvelope, NOOP_LOGGER, ResponseType } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { createFabric } from './fabric.js';
import { FameNode } from './node/node.js';

describe('createFabric refuses what it cannot enforce', () => {
  it.each([
    [{ FAME_SECURITY_PROFILE: 'gated' }, 'FAME_SECURITY_PROFILE'],
    [{ FAME_AUTHORIZATION_PROFILE: 'oauth2' }, 'FAME_AUTHORIZATION_PROFILE'],
    [{ FAME_ADMISSION_PROFILE: 'welcome' }, 'FAME_ADMISSION_PROFILE'],
  ])('%j: a ConfigError naming %s, before anything starts', async (env, setting) => {
    await expect(createFabric({ logger: NOOP_LOGGER, env })).rejects.toMatchObject({
      name: 'ConfigError',
      code: 'INVALID_CONFIG',
      setting,
    });
    await expect(createFabric({ logger: NOOP_LOGGER, env: {}, profiles: { security: 'overlay' } })).rejects.toMatchObject({
      setting: 'FAME_SECURITY_PROFILE',
    });
  });

  it('runs with the profiles it enforces, and reports them', async () => {
    await using fabric = await createFabric({
      logger: NOOP_LOGGER,
      env: { FAME_SECURITY_PROFILE: 'open', FAME_ADMISSION_PROFILE: 'noop' },
    });
    expect(fabric.profiles).toEqual({ security: 'open', authorization: 'noop', admission: 'noop' });
  });

  it('runs with a profile its composition says it enforces (e.g. welcome admission done before the fabric)', async () => {
    const env = { FAME_ADMISSION_PROFILE: 'welcome' };
    await expect(createFabric({ logger: NOOP_LOGGER, env })).rejects.toMatchObject({ setting: 'FAME_ADMISSION_PROFILE' });
    await using fabric = await createFabric({ logger: NOOP_LOGGER, env, enforces: { admission: ['welcome'] } });
    expect(fabric.profiles.admission).toBe('welcome');
  });

  it('a process started with FAME_SECURITY_PROFILE=gated exits with the error instead of running open', async () => {
    const script = `
import { createFabric } from '@naylence/fabric';
const fabric = await createFabric();
console.log('RUNNING ' + fabric.profiles.security);
await fabric.stop();
`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, FAME_SECURITY_PROFILE: 'gated' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stdout).not.toContain('RUNNING');
    expect(stderr).toMatch(/ConfigError: FAME_SECURITY_PROFILE=gated: this node cannot enforce the security profile "gated"/);
  });
});

describe('FameNode.send', () => {
  it('never changes the envelope it is given, so it can be sent again', async () => {
    await using node = new FameNode({ logger: NOOP_LOGGER });
    await node.start();
    const got: unknown[] = [];
    await node.bind('inbox@/', (env) => void got.push(env));
    const envelope = createEnvelope({ to: `inbox@${node.physicalPath}`, rtype: ResponseType.ACK, frame: { type: 'Data', payload: 1 } });
    const before = structuredClone(envelope);
    await node.send(envelope);
    await node.send(envelope);
    expect(envelope).toEqual(before);
    expect(got).toHaveLength(2);
    expect(got[0]).not.toBe(envelope);
    expect(got[0]).toMatchObject({ sid: node.sid, corrId: expect.any(String), replyTo: node.systemInboxAddress });
  });
});
