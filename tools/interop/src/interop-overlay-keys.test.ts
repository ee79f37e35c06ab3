/**
 * Overlay signing against a live reference sentinel (profile `overlay`, authorizer `noop`):
 * our signatures are accepted and the reference's verify with our verifier, and what the
 * reference tolerates at attach — the facts behind our proof-of-possession decision
 * (docs/guides/security-profiles.md, FINDINGS.md).
 */
import { createEnvelope, encodeEnvelope, randomId, type FameEnvelope } from '@naylence/core';
import { EnvelopeVerifier, KeyStore, NodeKeys } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { startReferenceSentinel, uniqueId } from './harness.js';
import { RawClient } from './raw-ws.js';

interface AttachVariant {
  /** Extra members of the NodeAttach frame. */
  readonly frameExtra?: Record<string, unknown>;
  /** Extra members of the signing JWK. */
  readonly jwkExtra?: Record<string, unknown>;
  /** Sign the NodeAttach envelope with the presented key (as if for `/<sentinel>/<systemId>`). */
  readonly signAttach?: boolean;
}

async function attachAndBind(url: string, sentinelId: string, variant: AttachVariant) {
  const systemId = uniqueId('probe');
  await using raw = new RawClient(url, systemId);
  await raw.open();
  const keys = new NodeKeys();
  const presented = keys.shareableKeys().map((key, i) => (i === 0 ? { ...key, ...variant.jwkExtra } : key));
  const corrId = randomId();
  let attach: FameEnvelope = createEnvelope({
    corrId,
    frame: {
      type: 'NodeAttach',
      originType: 'downstream',
      systemId,
      instanceId: randomId(),
      acceptedLogicals: ['fame.fabric'],
      keys: presented,
      ...variant.frameExtra,
    },
  });
  if (variant.signAttach) attach = keys.envelopeSigner(`/${sentinelId}/${systemId}`).sign(attach);
  raw.sendRaw(encodeEnvelope(attach));
  // The reference closes the link when the attach times out (5 s): wait for either.
  const ack = await Promise.race([raw.next((e) => e.frame.type === 'NodeAttachAck' && e.corrId === corrId, 20_000), raw.closed]);
  if (!('frame' in ack)) return { closed: ack };
  if (ack.frame.type !== 'NodeAttachAck') throw new Error(`expected NodeAttachAck, got ${ack.frame.type}`);
  if (ack.frame.ok === false) return { ack: ack.frame };
  const path = ack.frame.assignedPath!;

  // The sentinel's keys come in the ack; record them as our node would.
  const store = new KeyStore({ provider: keys.provider });
  expect(store.addKeys(ack.frame.keys ?? [], ack.frame.targetPhysicalPath!).rejected).toEqual([]);
  const verifier = new EnvelopeVerifier({ provider: keys.provider, keys: store });
  const signer = keys.envelopeSigner(path);

  // An unsigned bind first: the reference drops it without an answer. Then a signed one.
  const unsignedCorrId = randomId();
  const bind = (corr: string) =>
    createEnvelope({
      replyTo: `__sys__@${path}`,
      corrId: corr,
      rtype: 1,
      frame: { type: 'AddressBind', address: `${systemId}@fame.fabric`, physicalPath: path },
    });
  raw.sendRaw(encodeEnvelope(bind(unsignedCorrId)));
  const signedCorrId = randomId();
  raw.sendRaw(encodeEnvelope(signer.sign(bind(signedCorrId))));
  const bindAck = await raw.next((e) => e.frame.type === 'AddressBindAck' && e.corrId === signedCorrId);
  return {
    ack: ack.frame,
    bindAck,
    verified: verifier.verify(bindAck),
    unsignedAnswered: raw.envelopes.some((e) => e.corrId === unsignedCorrId),
  };
}

describe('interop: overlay signing with a reference sentinel', () => {
  it('accepts our signed AddressBind, signs its ack verifiably, drops an unsigned bind, tolerates extra attach members, refuses a signed attach', async () => {
    await using sentinel = await startReferenceSentinel({ security: 'overlay', env: { FAME_AUTHORIZATION_PROFILE: 'noop' } });

    const plain = await attachAndBind(sentinel.url, sentinel.id, {});
    expect(plain.ack?.ok).toBe(true);
    expect(plain.bindAck?.frame).toMatchObject({ type: 'AddressBindAck', ok: true });
    expect(plain.verified?.physicalPath).toBe(`/${sentinel.id}`);
    expect(plain.unsignedAnswered).toBe(false);

    // An unknown NodeAttach member and an unknown JWK member (a proof-of-possession field) are ignored.
    const extra = await attachAndBind(sentinel.url, sentinel.id, {
      frameExtra: { keyProof: { kid: 'x', val: 'y' } },
      jwkExtra: { pop: 'AAAA' },
    });
    expect(extra.ack?.ok).toBe(true);
    expect(extra.bindAck?.frame).toMatchObject({ type: 'AddressBindAck', ok: true });

    // A NodeAttach signed with the key it presents is NOT: the reference does not know the key
    // yet, queues the envelope "missing signing key", and closes the link when the attach times out.
    const signed = await attachAndBind(sentinel.url, sentinel.id, { signAttach: true });
    expect(signed.ack).toBeUndefined();
    expect(signed.closed).toEqual({ code: 1000, reason: 'normal closure' });
  });
});
