/**
 * A node on a provider with asynchronous Ed25519 (the browser provider with WebCrypto, which
 * Node has too) signs in its outbound stage and verifies in its deliver stage through
 * `ed25519Async`: the same signatures and refusals as the synchronous path, which a provider
 * without it (node:crypto) keeps.
 */
import { createEnvelope, EnvelopeRejection, type EnvelopeContext, type FameEnvelope, type SecurityLink } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import type { AsyncEd25519Operations, CryptoProvider } from '../crypto/provider.js';
import { loadDefaultCryptoProvider as browserLoad } from '../platform/browser/index.js';
import { nodeCryptoProvider } from '../platform/node/index.js';
import { secureDigestSync } from '../signing/digests.js';
import { nodeSecurityFromEnv } from './security-from-env.js';

const OVERLAY = { FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };

/** `provider` whose asynchronous Ed25519 counts its signatures and verifications. */
function counting(provider: CryptoProvider): { provider: CryptoProvider; counts: { signs: number; verifies: number } } {
  const counts = { signs: 0, verifies: 0 };
  const ops = provider.ed25519Async!;
  const ed25519Async: AsyncEd25519Operations = {
    name: ops.name,
    signer: (key) => {
      const sign = ops.signer(key);
      return (message) => (counts.signs++, sign(message));
    },
    verifier: (key) => {
      const verify = ops.verifier(key);
      return (message, signature) => (counts.verifies++, verify(message, signature));
    },
  };
  return { provider: { ...provider, ed25519Async }, counts };
}

function context(path: string, origin: EnvelopeContext['origin'], link?: SecurityLink): EnvelopeContext {
  return {
    node: { systemId: path.slice(1), physicalPath: path, sid: secureDigestSync(nodeCryptoProvider, path) },
    origin,
    link,
    response: false,
    inReplyTo: undefined,
  };
}

const UP: SecurityLink = { role: 'upstream', systemId: 'hub', physicalPath: '/hub', principal: undefined };

describe('node security on an asynchronous Ed25519 provider', () => {
  it('signs outbound and verifies at delivery through ed25519Async, byte-identical to the synchronous signature', async () => {
    const { provider, counts } = counting(await browserLoad());
    const client = nodeSecurityFromEnv({ env: OVERLAY, provider });
    const agent = nodeSecurityFromEnv({ env: OVERLAY, provider });
    agent.keyStore!.addKeys(client.nodeKeys!.shareableKeys(), '/hub/client');
    const request = createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: { x: 3, y: 4 } } });

    const pending = client.outbound!(request, context('/hub/client', 'local'));
    expect(pending).toBeInstanceOf(Promise);
    const signed = (await pending) as FameEnvelope;
    expect(counts.signs).toBe(1);
    expect(signed).toEqual(client.nodeKeys!.envelopeSigner('/hub/client').sign(request));

    const delivered = agent.deliver!(signed, context('/hub/agent', 'upstream', UP));
    expect(delivered).toBeInstanceOf(Promise);
    expect(await delivered).toBe(signed);
    expect(counts.verifies).toBe(1);

    const tampered = { ...signed, frame: { ...signed.frame, payload: { x: 3, y: 5 } } } as FameEnvelope;
    expect(await agent.deliver!(tampered, context('/hub/agent', 'upstream', UP))).toMatchObject({
      action: 'nack',
      error: { failure: 'payload_digest_mismatch' },
    });
    const forged = {
      ...signed,
      sec: { sig: { ...signed.sec!.sig!, val: agent.nodeKeys!.envelopeSigner('/hub/client').sign(request).sec!.sig!.val } },
    };
    expect(await agent.deliver!(forged, context('/hub/agent', 'upstream', UP))).toMatchObject({
      action: 'nack',
      error: { failure: 'bad_signature' },
    });
    expect(counts.verifies).toBe(2); // the tampered payload is refused on its digest, before any Ed25519 work
    const unsigned = agent.deliver!({ ...request, sid: signed.sid! }, context('/hub/agent', 'upstream', UP));
    expect(unsigned).toBeInstanceOf(EnvelopeRejection);
    expect(unsigned).toMatchObject({ error: { code: 'SIGNATURE_REQUIRED' } });
  });

  it('stays synchronous on a provider without it (node:crypto)', () => {
    const client = nodeSecurityFromEnv({ env: OVERLAY, provider: nodeCryptoProvider });
    const agent = nodeSecurityFromEnv({ env: OVERLAY, provider: nodeCryptoProvider });
    agent.keyStore!.addKeys(client.nodeKeys!.shareableKeys(), '/hub/client');
    const signed = client.outbound!(
      createEnvelope({ to: 'math@fame.fabric', frame: { type: 'Data', payload: 1 } }),
      context('/hub/client', 'local'),
    );
    expect(signed).not.toBeInstanceOf(Promise);
    expect(agent.deliver!(signed as FameEnvelope, context('/hub/agent', 'upstream', UP))).toBe(signed);
  });
});
