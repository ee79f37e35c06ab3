/**
 * The crypto floor of the overlay profiles: what Ed25519 envelope signatures and overlay
 * encryption (sealed envelopes and secure channels, per envelope, decryption including the W1
 * payload-digest check) cost on this machine with `node:crypto` (ours on Node) against the
 * pure-JS `@noble/*` provider (what browsers, and the reference, use). The `bare` column is
 * noble.
 */
import { decodeEnvelope, encodeEnvelope, type FameEnvelope } from '@naylence/core';
import {
  DefaultSecureChannelManager,
  EnvelopeVerifier,
  KeyStore,
  NodeKeys,
  decryptFromChannel,
  defaultCryptoProvider,
  encryptForChannel,
  loadNobleCryptoProvider,
  openSealedEnvelope,
  sealEnvelope,
  type CryptoProvider,
} from '@naylence/security';
import { consume, measureRate, summarize } from '../measure.js';
import type { Row, Scenario } from '../scenario.js';
import { sampleRpcRequest } from './codec.js';

const SIGNER_PATH = '/sentinel/agent';

/** The codec scenario's RPC request as its sender builds it: no sid or per-link fields yet. */
function sampleRequest(): FameEnvelope {
  const { sid: _sid, flowId: _flowId, seqId: _seqId, flowFlags: _flowFlags, ...request } = sampleRpcRequest();
  return request;
}

interface Ops {
  readonly label: string;
  readonly run: (p: CryptoProvider) => () => void;
}

function operations(): Ops[] {
  const message = new TextEncoder().encode('x'.repeat(300));
  const payload = new TextEncoder().encode(JSON.stringify(sampleRequest().frame));
  const info = new TextEncoder().encode('naylence-sealed-envelope');
  const request = sampleRequest();
  const setup = (p: CryptoProvider) => {
    const keys = new NodeKeys({ provider: p, signingKid: 'bench-sig', encryptionKid: 'bench-enc' });
    const signer = keys.envelopeSigner(SIGNER_PATH);
    const store = new KeyStore({ provider: p });
    store.addKeys(keys.shareableKeys(), SIGNER_PATH);
    const verifier = new EnvelopeVerifier({ provider: p, keys: store });
    // As received: decoded from the wire, so nothing is shared with the signer's objects.
    const signed = decodeEnvelope(encodeEnvelope(signer.sign(request)));
    return { keys, signer, verifier, signed };
  };
  /** Sealed to a recipient, and a channel key, as a receiver sees them. */
  const encryption = (p: CryptoProvider) => {
    const { signed } = setup(p);
    const recipient = new NodeKeys({ provider: p });
    const seal = () =>
      sealEnvelope(p, signed, { recipientPublicKey: recipient.encryptionPublicKey, recipientKid: recipient.encryptionKid });
    const cid = 'auto-math@fame.fabric-bench0000000000';
    const key = p.randomBytes(32);
    return { signed, recipient, seal, sealed: decodeEnvelope(encodeEnvelope(seal())), cid, key };
  };
  return [
    {
      label: 'Ed25519 sign (300 B)',
      run: (p) => {
        const sign = p.ed25519.signer(p.ed25519.generateKeyPair().privateKey);
        return () => consume(sign(message));
      },
    },
    {
      label: 'Ed25519 verify (300 B)',
      run: (p) => {
        const pair = p.ed25519.generateKeyPair();
        const signature = p.ed25519.signer(pair.privateKey)(message);
        const verify = p.ed25519.verifier(pair.publicKey);
        return () => consume(verify(message, signature));
      },
    },
    {
      label: 'envelope sign (RPC request)',
      run: (p) => {
        const { signer } = setup(p);
        return () => consume(signer.sign(request));
      },
    },
    {
      label: 'envelope verify, hop (trusts pd)',
      run: (p) => {
        const { verifier, signed } = setup(p);
        return () => consume(verifier.verify(signed, 'hop'));
      },
    },
    {
      label: 'envelope verify, final (recomputes pd)',
      run: (p) => {
        const { verifier, signed } = setup(p);
        return () => consume(verifier.verify(signed, 'final'));
      },
    },
    {
      label: 'envelope sign + final verify',
      run: (p) => {
        const { signer, verifier } = setup(p);
        return () => consume(verifier.verify(signer.sign(request), 'final'));
      },
    },
    {
      label: 'X25519+HKDF+ChaCha20-Poly1305 seal',
      run: (p) => {
        const recipient = p.x25519.generateKeyPair();
        return () => {
          const eph = p.x25519.generateKeyPair();
          const key = p.hkdfSha256(p.x25519.sharedSecret(eph.privateKey, recipient.publicKey), undefined, info, 32);
          consume(p.chacha20poly1305.seal(key, p.randomBytes(12), payload));
        };
      },
    },
    {
      label: 'X25519+HKDF+ChaCha20-Poly1305 open',
      run: (p) => {
        const recipient = p.x25519.generateKeyPair();
        const eph = p.x25519.generateKeyPair();
        const nonce = p.randomBytes(12);
        const sealed = p.chacha20poly1305.seal(
          p.hkdfSha256(p.x25519.sharedSecret(eph.privateKey, recipient.publicKey), undefined, info, 32),
          nonce,
          payload,
        );
        return () => {
          const key = p.hkdfSha256(p.x25519.sharedSecret(recipient.privateKey, eph.publicKey), undefined, info, 32);
          consume(p.chacha20poly1305.open(key, nonce, sealed));
        };
      },
    },
    {
      label: 'sealed: seal envelope (RPC request)',
      run: (p) => {
        const { seal } = encryption(p);
        return () => consume(seal());
      },
    },
    {
      label: 'sealed: open envelope (+ W1 pd check)',
      run: (p) => {
        const { sealed, recipient } = encryption(p);
        return () => consume(openSealedEnvelope(p, sealed, recipient));
      },
    },
    {
      label: 'sealed: seal + open per envelope',
      run: (p) => {
        const { seal, recipient } = encryption(p);
        return () => consume(openSealedEnvelope(p, seal(), recipient));
      },
    },
    {
      label: 'channel: encrypt envelope (RPC request)',
      run: (p) => {
        const { signed, cid, key } = encryption(p);
        return () => consume(encryptForChannel(p, signed, cid, key));
      },
    },
    {
      label: 'channel: decrypt envelope (+ W1 pd check)',
      run: (p) => {
        const { signed, cid, key } = encryption(p);
        const wire = decodeEnvelope(encodeEnvelope(encryptForChannel(p, signed, cid, key)));
        return () => consume(decryptFromChannel(p, wire, key));
      },
    },
    {
      label: 'channel: encrypt + decrypt per envelope (managers, replay window)',
      run: (p) => {
        const { signed } = encryption(p);
        const initiator = new DefaultSecureChannelManager({ provider: p });
        const responder = new DefaultSecureChannelManager({ provider: p });
        const open = initiator.open('math@fame.fabric');
        initiator.handleAccept(responder.handleOpen(open)!);
        return () => consume(responder.decrypt(initiator.encrypt(signed, open.cid)));
      },
    },
  ];
}

export const cryptoScenario: Scenario = {
  name: 'crypto',
  description: 'Ed25519 envelope sign/verify, sealed and channel envelope encryption: node:crypto vs pure-JS @noble',
  async run({ rounds, smoke }) {
    const node = defaultCryptoProvider();
    const noble = await loadNobleCryptoProvider();
    const duration = smoke ? 50 : 700;
    const batch = smoke ? 5 : 50;
    const rows: Row[] = [];
    const rates = new Map<string, number>();
    for (const op of operations()) {
      const ours: number[] = [];
      const bare: number[] = [];
      const nodeFn = op.run(node);
      const nobleFn = op.run(noble);
      for (let r = 0; r < rounds; r++) {
        bare.push(measureRate(nobleFn, duration, batch).opsPerSec);
        ours.push(measureRate(nodeFn, duration, batch).opsPerSec);
      }
      const o = summarize(ours);
      rates.set(op.label, o.median);
      rows.push({ label: op.label, unit: 'ops/s', ours: o, bare: summarize(bare) });
    }
    const sign = rates.get('envelope sign (RPC request)')!;
    const hop = rates.get('envelope verify, hop (trusts pd)')!;
    const final = rates.get('envelope verify, final (recomputes pd)')!;
    // One signed RPC through one sentinel, verifying everywhere as the reference does: the client
    // signs the request, the sentinel verifies it (hop), the agent verifies it (final), and the same
    // again for the response: 2 signs + 2 hop + 2 final verifies, spread over three processes.
    const perRpcUs = 2 * (1e6 / sign) + 2 * (1e6 / hop) + 2 * (1e6 / final);
    const sealedUs = 1e6 / rates.get('sealed: seal + open per envelope')!;
    const channelUs = 1e6 / rates.get('channel: encrypt + decrypt per envelope (managers, replay window)')!;
    return {
      scenario: 'crypto',
      rows,
      notes: [
        'ours = node:crypto provider (Node default); bare = @noble/* provider (browser default, pure JS); ratio ours/bare = speed-up',
        `crypto floor per signed RPC through one sentinel (2 signs, 2 hop + 2 final verifies, all roles together): ${perRpcUs.toFixed(0)} µs of CPU`,
        `a sentinel core that verifies every envelope it forwards caps near ${Math.round(hop).toLocaleString('en-US')} envelopes/s (hop verify) before routing work`,
        `per envelope: sign ${(1e6 / sign).toFixed(1)} µs, hop verify ${(1e6 / hop).toFixed(1)} µs, final verify ${(1e6 / final).toFixed(1)} µs`,
        `seal/open floor per envelope (encrypt at the sender + decrypt with the W1 check at the receiver): sealed ${sealedUs.toFixed(1)} µs, channel ${channelUs.toFixed(1)} µs`,
        `per encrypted RPC (request + response) on top of signing: sealed ${(2 * sealedUs).toFixed(0)} µs, channel ${(2 * channelUs).toFixed(0)} µs of CPU`,
      ],
    };
  },
};
