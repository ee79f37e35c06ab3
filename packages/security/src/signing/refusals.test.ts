/**
 * Library-level refusals: every hostile envelope of issue 11 is refused with a typed error
 * (and, where the policy says so, the NACK a node would send), never accepted.
 */
import { describe, expect, it } from 'vitest';
import { createEnvelope, isFameError } from '@naylence/core';
import { nodeCryptoProvider as provider } from '../platform/node/index.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { DefaultSecurityPolicy } from '../policy/default-security-policy.js';
import { BUILT_IN_SECURITY_PROFILES } from '../policy/profiles.js';
import { createSecurityNack } from '../policy/security-nack.js';
import type { SecurityPolicyConfig } from '../policy/policy-config.js';
import { EnvelopeVerifier } from './envelope-verifier.js';

const overlay = new DefaultSecurityPolicy(BUILT_IN_SECURITY_PROFILES.overlay!.security_policy as SecurityPolicyConfig);
const fromChild = { origin: 'downstream' } as const;

function setup() {
  const victim = new NodeKeys({ provider });
  const attacker = new NodeKeys({ provider });
  const store = new KeyStore({ provider });
  store.addKeys(victim.shareableKeys(), '/sentinel/victim');
  store.addKeys(attacker.shareableKeys(), '/sentinel/attacker');
  const verifier = new EnvelopeVerifier({ provider, keys: store });
  const request = createEnvelope({
    to: 'math@fame.fabric',
    replyTo: 'client@/sentinel/victim',
    corrId: 'c-1',
    frame: { type: 'Data', payload: { jsonrpc: '2.0', id: 'c-1', method: 'transfer', params: { amount: 10 } } },
  });
  return { victim, attacker, store, verifier, request };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isFameError(error)) return `${error.code}${'failure' in error ? `/${String(error.failure)}` : ''}`;
    throw error;
  }
  return undefined;
}

describe('refused envelopes', () => {
  it('an unsigned envelope where signatures are required: NACKed signature_required', () => {
    const { verifier, request } = setup();
    const decision = overlay.inboundSignatureDecision(request, fromChild);
    expect(decision).toEqual({ verdict: 'unsigned', action: 'nack', critical: false });
    expect(codeOf(() => verifier.verify(request))).toBe('SIGNATURE_REQUIRED');
    expect(createSecurityNack(request, 'SIGNATURE_REQUIRED')).toMatchObject({
      to: 'client@/sentinel/victim',
      corrId: 'c-1',
      traceId: request.traceId,
      frame: { type: 'DeliveryAck', ok: false, refId: request.id, code: 'signature_required' },
    });
    // Unsigned critical frames are dropped whatever the action.
    const announce = createEnvelope({ frame: { type: 'KeyAnnounce', physicalPath: '/x', keys: [] } });
    expect(overlay.inboundSignatureDecision(announce, fromChild)).toEqual({ verdict: 'unsigned', action: 'reject', critical: true });
  });

  it('a tampered payload: refused at final delivery, and at every hop once pd is fixed up too', () => {
    const { victim, verifier, request } = setup();
    const signed = victim.envelopeSigner('/sentinel/victim').sign(request);
    expect(overlay.inboundSignatureDecision(signed, fromChild)).toEqual({ verdict: 'verify' });
    const tampered = {
      ...signed,
      frame: { ...signed.frame, payload: { ...(signed.frame.payload as object), params: { amount: 10_000 } } },
    };
    expect(verifier.verify(tampered, 'hop').kid).toBe(victim.signingKid); // hop mode trusts pd, as the reference
    expect(codeOf(() => verifier.verify(tampered, 'final'))).toBe('SIGNATURE_INVALID/payload_digest_mismatch');
    const withPd = { ...tampered, frame: { ...tampered.frame, pd: 'AAAAAAAAAAAAAAAAAAAAAA' } };
    expect(codeOf(() => verifier.verify(withPd, 'hop'))).toBe('SIGNATURE_INVALID/bad_signature');
    expect(createSecurityNack(tampered, 'SIGNATURE_INVALID')?.frame.code).toBe('signature_verification_failed');
  });

  it('a tampered header: refused', () => {
    const { victim, verifier, request } = setup();
    const signed = victim.envelopeSigner('/sentinel/victim').sign(request);
    for (const change of [{ to: 'bank@fame.fabric' }, { corrId: 'c-2' }, { replyTo: 'evil@/sentinel/attacker' }, { id: 'other' }]) {
      expect(codeOf(() => verifier.verify({ ...signed, ...change }))).toBe('SIGNATURE_INVALID/bad_signature');
    }
    // Members outside the signature (seqId, ts, …) may change per hop.
    expect(verifier.verify({ ...signed, seqId: 7, ts: '2030-01-01T00:00:00.000Z' }).kid).toBe(victim.signingKid);
  });

  it('a signature by an unknown key: UNKNOWN_KEY (queue it and request the key)', () => {
    const { verifier, request } = setup();
    const stranger = new NodeKeys({ provider });
    expect(codeOf(() => verifier.verify(stranger.envelopeSigner('/sentinel/stranger').sign(request)))).toBe('UNKNOWN_KEY');
  });

  it('a key whose kid collides with another node’s: stored apart, never replacing it', () => {
    const { victim, store, verifier, request } = setup();
    const impostor = new NodeKeys({ provider, signingKid: victim.signingKid });
    const result = store.addKeys(impostor.shareableKeys(), '/sentinel/impostor');
    expect(result.collisions).toEqual([victim.signingKid]);
    expect(store.keysWithKid(victim.signingKid)).toHaveLength(2);
    // The victim's envelopes still verify with the victim's key…
    expect(verifier.verify(victim.envelopeSigner('/sentinel/victim').sign(request)).physicalPath).toBe('/sentinel/victim');
    // …the impostor's verify only as the impostor's…
    expect(verifier.verify(impostor.envelopeSigner('/sentinel/impostor').sign(request)).physicalPath).toBe('/sentinel/impostor');
    // …and an impostor envelope claiming the victim's sid is refused.
    const forged = impostor.envelopeSigner('/sentinel/impostor').sign(request);
    expect(codeOf(() => verifier.verify({ ...forged, sid: victim.envelopeSigner('/sentinel/victim').sid }))).toBe(
      'SIGNATURE_INVALID/bad_signature',
    );
  });

  it('an envelope claiming another node’s sid: refused (W3), and our signer never makes one', () => {
    const { victim, attacker, verifier, request } = setup();
    const victimSid = victim.envelopeSigner('/sentinel/victim').sid;
    const attackerSigner = attacker.envelopeSigner('/sentinel/attacker');
    expect(codeOf(() => attackerSigner.sign({ ...request, sid: victimSid }))).toBe('SIGNATURE_INVALID/sid_mismatch');
    // An attacker that signs it anyway (the reference signer does not check): the signature is
    // valid for the attacker's key, but the sid is not the attacker's.
    const ownSigned = attackerSigner.sign(request);
    const forged = new NodeKeys({
      provider,
      signingKey: attacker.signingPrivatePem(),
      signingKid: attacker.signingKid,
    })
      .envelopeSigner('/sentinel/victim') // computes the TBS with the victim's sid
      .sign(request);
    expect(forged.sid).toBe(victimSid);
    expect(ownSigned.sid).not.toBe(victimSid);
    expect(codeOf(() => verifier.verify(forged))).toBe('SIGNATURE_INVALID/sid_mismatch');
  });

  it('malformed signatures and unusable keys', () => {
    const { victim, store, verifier, request } = setup();
    const signed = victim.envelopeSigner('/sentinel/victim').sign(request);
    const sig = signed.sec!.sig!;
    expect(codeOf(() => verifier.verify({ ...signed, sec: { sig: { ...sig, val: 'short' } } }))).toBe('SIGNATURE_INVALID/malformed');
    expect(codeOf(() => verifier.verify({ ...signed, sec: { sig: { val: sig.val } } }))).toBe('SIGNATURE_INVALID/malformed');
    const noPd = { ...signed, frame: { type: 'Data' as const, payload: (signed.frame as { payload: unknown }).payload } };
    expect(codeOf(() => verifier.verify(noPd))).toBe('SIGNATURE_INVALID/missing_pd');
    // An encryption key offered as the signing key.
    const encKid = victim.encryptionKid;
    expect(store.keysWithKid(encKid)).toHaveLength(1);
    expect(codeOf(() => verifier.verify({ ...signed, sec: { sig: { ...sig, kid: encKid } } }))).toBe('SIGNATURE_INVALID/key_not_usable');
  });
});

describe('keys with certificates (x5c)', () => {
  it('are refused by a verifier without a key validator, and put to the validator otherwise', () => {
    const node = new NodeKeys({ provider, certificateChain: ['MIIB-not-checked-here'] });
    expect(node.signingJwk().x5c).toEqual(['MIIB-not-checked-here']);
    const store = new KeyStore({ provider });
    store.addKeys(node.shareableKeys(), '/sentinel/certified');
    const signed = node.envelopeSigner('/sentinel/certified').sign(createEnvelope({ frame: { type: 'Data', payload: 1 } }));
    expect(codeOf(() => new EnvelopeVerifier({ provider, keys: store }).verify(signed))).toBe('SIGNATURE_INVALID/key_not_usable');

    const seen: string[] = [];
    const keyValidator = {
      validateKey: () => ({ ok: true as const }),
      checkSigningKey: (record: { kid: string }) => void seen.push(record.kid),
    };
    expect(new EnvelopeVerifier({ provider, keys: store, keyValidator }).verify(signed).physicalPath).toBe('/sentinel/certified');
    expect(seen).toEqual([node.signingKid]);
    node.setCertificateChain(undefined);
    expect(node.signingJwk()).not.toHaveProperty('x5c');
  });

  it('are stored only when the key store’s validator accepts them', () => {
    const refusing = {
      validateKey: (jwk: Readonly<Record<string, unknown>>) => (jwk.x5c ? { ok: false as const, reason: 'no' } : { ok: true as const }),
    };
    const store = new KeyStore({ provider, validator: refusing });
    const node = new NodeKeys({ provider, certificateChain: ['x'] });
    const result = store.addKeys(node.shareableKeys(), '/n');
    expect(result.rejected).toEqual([{ kid: node.signingKid, reason: 'no' }]);
    expect(result.added.map((key) => key.use)).toEqual(['enc']);
  });
});
