/**
 * Scenario 6: shared-secret authentication on the WebSocket upgrade, refused the same way in
 * both directions.
 */
import { AttachError } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { runReferenceClient, startReferenceSentinel, uniqueId, type JsonLine } from './harness.js';
import { connectOurNode, startOurAgent, startOurSentinel } from './ours.js';

type Attach = JsonLine & { ok: boolean; error?: { class: string; message: string } };

describe('interop: authentication', () => {
  it('6a. our listener with sharedSecretAuthorizer refuses the reference client’s bad or missing token like the reference does', async () => {
    await using sentinel = await startOurSentinel({ id: uniqueId('our-sentinel'), token: 'right-secret' });
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent'), token: 'right-secret' });

    for (const token of ['wrong-secret', undefined]) {
      const run = await runReferenceClient(sentinel.url, 'badtoken', token === undefined ? {} : { token });
      const attach = run.result('attach') as Attach;
      expect(attach.ok, String(token)).toBe(false);
      // The reference's own wording for a refused attach: the close code and reason we sent.
      expect(attach.error?.message).toContain('1008');
      expect(attach.error?.message).toContain('Authentication failed');
      expect(attach.error?.message).toBe(
        'Connector closed while waiting for NodeAttachAck (code=1008, reason=Authentication failed) - FameTransportClose: Authentication failed',
      );
    }
    expect(sentinel.sentinel.linkedSystemIds).toHaveLength(1); // only our agent

    // The right token gets through and can call.
    const ok = await runReferenceClient(sentinel.url, 'add', { token: 'right-secret' });
    expect(ok.result('attach')).toMatchObject({ ok: true });
    expect(ok.result('add')).toMatchObject({ ok: true, result: 7 });
  });

  it('6b. our connector reports the reference sentinel’s refusal as AttachError AUTHENTICATION_FAILED', async () => {
    await using sentinel = await startReferenceSentinel({ token: 'right-secret' });
    for (const token of ['wrong-secret', undefined]) {
      const error = await connectOurNode(sentinel.url, { id: uniqueId('our-client'), ...(token !== undefined && { token }) }).catch(
        (e: unknown) => e,
      );
      expect(error, String(token)).toBeInstanceOf(AttachError);
      expect(error).toMatchObject({ name: 'AttachError', code: 'AUTHENTICATION_FAILED', reason: 'Authentication failed' });
    }
    // With the right token our agent attaches and the reference client (with it too) calls it.
    await using _agent = await startOurAgent(sentinel.url, { id: uniqueId('our-agent'), token: 'right-secret' });
    const run = await runReferenceClient(sentinel.url, 'add,fib', { token: 'right-secret' });
    expect(run.result('add')).toMatchObject({ ok: true, result: 7 });
    expect(run.result('fib')).toMatchObject({ ok: true, result: [0, 1, 1, 2, 3, 5, 8, 13, 21, 34] });
  });
});
