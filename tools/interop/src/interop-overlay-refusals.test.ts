/**
 * Scenario 11: a hostile child on a real socket against our `overlay` sentinel. It attaches
 * with keys like any overlay node, then sends what a compromised or buggy node might: an
 * unsigned envelope, a signed one with its payload or a header changed afterwards, one signed
 * by a key nobody was shown, one signed with a key whose kid collides with the agent's, one
 * claiming the agent's sid. Each is refused per the overlay policy (a NACK
 * `signature_required` / `signature_verification_failed` to its `replyTo`, as §3.9 formats
 * it), the agent's handler never runs, and the hostile link, the honest nodes and the sentinel
 * stay up: an honest signed call made after all of it on the same socket is answered.
 */
import { createEnvelope, encodeEnvelope, randomId, type FameEnvelope } from '@naylence/core';
import { createFabricFromEnv, runSentinel } from '@naylence/cli';
import { NodeKeys } from '@naylence/security';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { interopLogger } from './ours.js';
import { RawClient } from './raw-ws.js';

const OVERLAY = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };

/** A raw overlay child: attaches with `keys` presented, signs (or not) what it sends by hand. */
class HostileChild extends RawClient {
  readonly keys = new NodeKeys();
  path = '';

  async attachWithKeys(presented: readonly Record<string, unknown>[] = this.keys.shareableKeys()): Promise<FameEnvelope> {
    await this.open();
    const corrId = randomId();
    this.sendRaw(
      encodeEnvelope(
        createEnvelope({
          corrId,
          frame: {
            type: 'NodeAttach',
            originType: 'downstream',
            systemId: this.systemId,
            instanceId: randomId(),
            acceptedLogicals: ['*'],
            keys: [...presented],
          },
        }),
      ),
    );
    const ack = await this.next((e) => e.frame.type === 'NodeAttachAck' && e.corrId === corrId);
    if (ack.frame.type === 'NodeAttachAck' && ack.frame.ok) this.path = ack.frame.assignedPath!;
    return ack;
  }

  /** A JSON-RPC `add` request to the agent, unsigned, as the hostile node's own. */
  request(x: number): FameEnvelope {
    const corrId = randomId();
    return createEnvelope({
      to: 'math@fame.fabric',
      replyTo: `__rpc__${this.systemId}@${this.path}`,
      corrId,
      rtype: 2,
      frame: { type: 'Data', payload: { jsonrpc: '2.0', id: corrId, method: 'add', params: { x, y: 1 } } },
    });
  }

  /** Signed by `keys` as the node at `asPath` (default: itself). */
  signed(envelope: FameEnvelope, keys: NodeKeys = this.keys, asPath: string = this.path): FameEnvelope {
    return keys.envelopeSigner(asPath).sign(envelope);
  }

  override send(envelope: FameEnvelope): FameEnvelope {
    this.sendRaw(encodeEnvelope(envelope));
    return envelope;
  }

  /** The answer (reply or NACK) to `request`, by its corrId. */
  answer(request: FameEnvelope, timeoutMs = 10_000): Promise<FameEnvelope> {
    return this.next((e) => e.corrId === request.corrId && (e.frame.type === 'Data' || e.frame.type === 'DeliveryAck'), timeoutMs);
  }
}

function nackCode(envelope: FameEnvelope): string | undefined {
  return envelope.frame.type === 'DeliveryAck' && envelope.frame.ok === false ? envelope.frame.code : undefined;
}

interface World {
  readonly sentinel: Awaited<ReturnType<typeof runSentinel>>;
  readonly agent: Awaited<ReturnType<typeof createFabricFromEnv>>;
  readonly env: Record<string, string>;
  readonly hostile: HostileChild;
  readonly handled: number[];
  readonly agentKid: string;
  readonly cleanup: (() => Promise<void>)[];
}

describe.sequential('interop: a hostile child in overlay, on a real socket (11)', () => {
  let w: World;

  beforeAll(async () => {
    const cleanup: (() => Promise<void>)[] = [];
    const sentinel = await runSentinel({
      host: '127.0.0.1',
      port: 0,
      id: uniqueId('our-overlay'),
      env: OVERLAY,
      logger: interopLogger(),
      // A key nobody presented is waited for (a child may announce it) this long before the NACK.
      securityOptions: { keyRequestTimeoutMs: 300, keyRequestAttempts: 1 },
    });
    cleanup.push(() => sentinel.stop());
    const env = { ...OVERLAY, FAME_ADMISSION_PROFILE: 'open', FAME_DIRECT_ADMISSION_URL: sentinel.url };
    const agent = await createFabricFromEnv({ env, systemId: uniqueId('our-agent'), logger: interopLogger() });
    cleanup.push(() => agent.stop());
    const handled: number[] = [];
    await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => (handled.push(x), x + y) });
    const agentKid = sentinel.security.keyStore!.keysForPath(agent.physicalPath).find((k) => k.use === 'sig')!.kid;
    const hostile = new HostileChild(sentinel.url, uniqueId('hostile'));
    cleanup.push(() => hostile[Symbol.asyncDispose]());
    expect((await hostile.attachWithKeys()).frame).toMatchObject({ type: 'NodeAttachAck', ok: true, keys: expect.any(Array) });
    w = { sentinel, agent, env, hostile, handled, agentKid, cleanup };
  });

  afterAll(async () => {
    for (const stop of (w?.cleanup ?? []).reverse()) await stop();
  });

  async function expectNack(envelope: FameEnvelope, code: string, from: HostileChild = w.hostile): Promise<void> {
    const answer = await from.answer(from.send(envelope));
    expect(nackCode(answer)).toBe(code);
    expect(answer.frame).toMatchObject({ refId: envelope.id });
  }

  it('11a. an unsigned envelope: NACK signature_required from the sentinel', async () => {
    await expectNack(w.hostile.request(1), 'signature_required');
  });

  it('11b. a tampered payload: NACK signature_verification_failed from the agent (final check)', async () => {
    const signed = w.hostile.signed(w.hostile.request(2));
    const params = { jsonrpc: '2.0', id: signed.corrId, method: 'add', params: { x: 200, y: 1 } };
    await expectNack({ ...signed, frame: { ...signed.frame, payload: params } } as FameEnvelope, 'signature_verification_failed');
  });

  it('11c. a tampered header: NACK signature_verification_failed', async () => {
    await expectNack({ ...w.hostile.signed(w.hostile.request(3)), traceId: 'forged-trace' }, 'signature_verification_failed');
  });

  it('11d. a signature by a key nobody was shown: NACK signature_verification_failed once the wait for the key ends', async () => {
    await expectNack(w.hostile.signed(w.hostile.request(4), new NodeKeys()), 'signature_verification_failed');
  });

  it('11e. a key whose kid collides with the agent’s: stored apart (W4); speaking for the agent with it is refused', async () => {
    await using collider = new HostileChild(w.sentinel.url, uniqueId('collider'));
    const colliding = new NodeKeys({ signingKid: w.agentKid });
    expect((await collider.attachWithKeys(colliding.shareableKeys())).frame).toMatchObject({ ok: true });
    await expectNack(collider.signed(collider.request(6), colliding, w.agent.physicalPath), 'signature_verification_failed', collider);
    const owners = w.sentinel.security.keyStore!.keysWithKid(w.agentKid).map((k) => k.physical_path);
    expect(owners.sort()).toEqual([w.agent.physicalPath, collider.path].sort());
  });

  it('11f. an envelope claiming another node’s sid, signed with its own key: NACK signature_verification_failed (W3)', async () => {
    await expectNack(w.hostile.signed(w.hostile.request(5), w.hostile.keys, w.agent.physicalPath), 'signature_verification_failed');
  });

  it('11g. an unsigned critical frame (KeyAnnounce) is dropped: its keys are not stored', async () => {
    const keys = new NodeKeys().shareableKeys();
    w.hostile.send(
      createEnvelope({ frame: { type: 'KeyAnnounce', physicalPath: `${w.hostile.path}/x`, keys, created: new Date().toISOString() } }),
    );
    // Ordered on the socket: once this call is answered, the announce was handled.
    await expectNack(w.hostile.request(7), 'signature_required');
    expect(w.sentinel.security.keyStore!.keysForPath(`${w.hostile.path}/x`)).toEqual([]);
  });

  it('11h. nothing was delivered; the hostile link, the agent and the sentinel are up: honest calls are answered', async () => {
    expect(w.handled).toEqual([]);
    const reply = await w.hostile.answer(w.hostile.send(w.hostile.signed(w.hostile.request(41))));
    expect(reply.frame).toMatchObject({ type: 'Data', payload: { result: 42 } });
    expect(w.handled).toEqual([41]);
    await using client = await createFabricFromEnv({ env: w.env, systemId: uniqueId('our-client'), logger: interopLogger() });
    expect(await client.invoke('math@fame.fabric', 'add', { x: 1, y: 2 })).toBe(3);
    expect(w.hostile.ws.readyState).toBe(w.hostile.ws.OPEN);
  });
});
