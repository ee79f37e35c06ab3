/**
 * The signing vectors of the spec, checked the same way wherever this runs: in Node with the
 * Node entry of `@naylence/security`, and inside Chromium with its browser entry (noble, and
 * noble + WebCrypto Ed25519 through the asynchronous path). Returns counts and failures instead
 * of throwing, so a page can hand its report back to the test.
 */
import { decodeEnvelope, type FameEnvelope } from '@naylence/core';
import { EnvelopeVerifier, KeyStore, NodeKeys, secureDigestSync, type CryptoProvider } from '@naylence/security';

export interface SigningVectorSet {
  readonly signed: {
    signing_key: { kid: string; private_key_pkcs8_pem: string };
    published_jwks: { keys: Record<string, unknown>[] };
    cases: { name: string; physical_path: string; sid_digest: string; signature_b64url: string; wire_envelope: FameEnvelope }[];
  };
  readonly pitfalls: { cases: { name: string; wire_json: string; ts_verify_check_payload_true: true | string }[] };
  readonly capture: { messages: Record<string, unknown>[] };
  readonly identity: { secure_digest: { input: string; secure_digest: string }[] };
}

export interface SigningVectorReport {
  readonly provider: string;
  /** secureDigest rows reproduced. */
  readonly digests: number;
  /** Signatures identical to the vector's, counting the synchronous and the asynchronous path. */
  readonly signedIdentically: number;
  /** Vector envelopes verified (`final`), synchronously and asynchronously. */
  readonly verified: number;
  readonly pitfalls: number;
  readonly captureVerified: number;
  readonly failures: string[];
}

const wire = (envelope: unknown): FameEnvelope => decodeEnvelope(new TextEncoder().encode(JSON.stringify(envelope)));

/** Runs every check with `provider`, through both the synchronous and the asynchronous path. */
export async function checkSigningVectors(vectors: SigningVectorSet, provider: CryptoProvider): Promise<SigningVectorReport> {
  const failures: string[] = [];
  const expectThat = (ok: boolean, what: string) => void (ok || failures.push(what));
  let digests = 0;
  let signedIdentically = 0;
  let verified = 0;
  let pitfalls = 0;
  let captureVerified = 0;

  for (const row of vectors.identity.secure_digest) {
    expectThat(secureDigestSync(provider, row.input) === row.secure_digest, `secureDigest(${row.input})`);
    digests++;
  }

  const { signed } = vectors;
  const keys = new NodeKeys({ provider, signingKey: signed.signing_key.private_key_pkcs8_pem, signingKid: signed.signing_key.kid });
  for (const c of signed.cases) {
    const { sec: _sec, ...unsigned } = structuredClone(c.wire_envelope);
    if (unsigned.frame.type === 'Data') delete unsigned.frame.pd;
    const signer = keys.envelopeSigner(c.physical_path);
    expectThat(signer.sid === c.sid_digest, `${c.name}: sid`);
    for (const [path, result] of [
      ['sync', signer.sign<FameEnvelope>(unsigned)],
      ['async', await signer.signAsync<FameEnvelope>(unsigned)],
    ] as const) {
      const same = JSON.stringify(result) === JSON.stringify(c.wire_envelope) && result.sec?.sig?.val === c.signature_b64url;
      expectThat(same, `${c.name}: ${path} signature differs from the vector`);
      if (same) signedIdentically++;
    }
    const store = new KeyStore({ provider });
    expectThat(store.addKeys(signed.published_jwks.keys, c.physical_path).rejected.length === 0, `${c.name}: keys rejected`);
    const verifier = new EnvelopeVerifier({ provider, keys: store });
    const received = wire(c.wire_envelope);
    try {
      expectThat(verifier.verify(received, 'final').sid === c.sid_digest, `${c.name}: sync verify sid`);
      expectThat((await verifier.verifyAsync(received, 'final')).sid === c.sid_digest, `${c.name}: async verify sid`);
      verified += 2;
    } catch (error) {
      failures.push(`${c.name}: verify threw ${(error as Error).message}`);
    }
  }

  for (const c of vectors.pitfalls.cases) {
    const store = new KeyStore({ provider });
    store.addKeys(signed.published_jwks.keys, '/sentinel-a/agent-b');
    const verifier = new EnvelopeVerifier({ provider, keys: store });
    const envelope = decodeEnvelope(new TextEncoder().encode(c.wire_json));
    try {
      await verifier.verifyAsync(envelope, 'hop');
      let finalOk = true;
      try {
        await verifier.verifyAsync(envelope, 'final');
      } catch (error) {
        finalOk = false;
        expectThat((error as { failure?: string }).failure === 'payload_digest_mismatch', `${c.name}: final refusal reason`);
      }
      expectThat(finalOk === (c.ts_verify_check_payload_true === true), `${c.name}: final verification as documented`);
      pitfalls++;
    } catch (error) {
      failures.push(`${c.name}: hop verify threw ${(error as Error).message}`);
    }
  }

  const store = new KeyStore({ provider });
  const messages = vectors.capture.messages.filter((m) => typeof m.envelope === 'object') as {
    connection: number;
    envelope: FameEnvelope;
  }[];
  const childKeys = new Map<number, unknown[]>();
  for (const { connection, envelope } of messages) {
    const frame = envelope.frame;
    if (frame.type === 'NodeAttach') childKeys.set(connection, frame.keys ?? []);
    if (frame.type === 'NodeAttachAck') {
      store.addKeys(childKeys.get(connection) ?? [], frame.assignedPath!);
      store.addKeys(frame.keys ?? [], frame.targetPhysicalPath!);
    }
    if (frame.type === 'KeyAnnounce') store.addKeys(frame.keys, frame.physicalPath);
  }
  const verifier = new EnvelopeVerifier({ provider, keys: store });
  for (const { envelope } of messages) {
    if (!envelope.sec?.sig) continue;
    try {
      const result = await verifier.verifyAsync(wire(envelope), envelope.frame.type === 'Data' ? 'final' : 'hop');
      expectThat(result.sid === envelope.sid, `capture ${envelope.frame.type}: sid`);
      captureVerified++;
    } catch (error) {
      failures.push(`capture ${envelope.frame.type}: ${(error as Error).message}`);
    }
  }
  return { provider: provider.name, digests, signedIdentically, verified, pitfalls, captureVerified, failures };
}
