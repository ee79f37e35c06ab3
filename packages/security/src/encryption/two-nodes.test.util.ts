/**
 * Test fixture: the encryption side of two nodes (`/sentinel/a`, client of `client@/sentinel/a`;
 * `/sentinel/b`, serving `math@/sentinel/b`) and the sentinel between them, as a synchronous
 * in-memory router. Each node signs what it originates (the host's outbound path), keys were
 * exchanged at attach (the sentinel's store knows both), and the sentinel answers by-address
 * KeyRequests from its store. Not a fabric: only what the encryption managers need from one.
 */
import { createEnvelope, type FameEnvelope, type KeyAnnounceFrame } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { keyAnnounceFrame } from '../keys/key-frames.js';
import { KeyStore } from '../keys/key-store.js';
import { NodeKeys } from '../keys/node-keys.js';
import { DefaultSecurityPolicy } from '../policy/default-security-policy.js';
import type { SecurityPolicyConfig } from '../policy/policy-config.js';
import { EnvelopeVerifier } from '../signing/envelope-verifier.js';
import { ChannelEncryptionManager } from './channel-encryption-manager.js';
import { CompositeEncryptionManager } from './composite-encryption-manager.js';
import type { EncryptionHost } from './encryption-manager.js';
import { keyStoreRecipients } from './recipient-keys.js';
import { DefaultSecureChannelManager, type SecureChannelManagerOptions } from './secure-channel-manager.js';
import { SealedEncryptionManager } from './sealed-encryption-manager.js';

export interface TestNode {
  readonly path: string;
  readonly keys: NodeKeys;
  readonly store: KeyStore;
  readonly verifier: EnvelopeVerifier;
  readonly channels: DefaultSecureChannelManager;
  readonly channel: ChannelEncryptionManager;
  readonly sealed: SealedEncryptionManager;
  readonly encryption: CompositeEncryptionManager;
  /** Envelopes this node sent, as they left it (signed). */
  readonly sent: FameEnvelope[];
  /** Data and DeliveryAck envelopes delivered to this node, decrypted. */
  readonly inbox: FameEnvelope[];
  /** Signs (if not yet signed) an envelope this node originates. */
  sign<E extends FameEnvelope>(envelope: E): E;
}

export interface TwoNodes {
  readonly a: TestNode;
  readonly b: TestNode;
  /** Delivers everything sent so far (and what that causes) until nothing is left. */
  pump(): void;
  /** Envelopes dropped by the router with why (no route, refused). */
  readonly dropped: { envelope: FameEnvelope; reason: string }[];
  readonly sentinelStore: KeyStore;
}

export const STRICT_POLICY: SecurityPolicyConfig = {
  signing: { inbound: { signature_policy: 'required' }, outbound: { default_signing: true } },
  encryption: {
    inbound: { allow_plaintext: true, allow_channel: true, allow_sealed: true },
    response: { mirror_request_level: true, minimum_response_level: 'plaintext' },
    outbound: { default_level: 'channel', escalate_if_peer_supports: false },
  },
};

export function twoNodes(
  provider: CryptoProvider,
  options: {
    channels?: Partial<SecureChannelManagerOptions>;
    policy?: SecurityPolicyConfig;
    /** An on-path attacker: rewrites what passes (return undefined to drop it). */
    onTransit?: (envelope: FameEnvelope) => FameEnvelope | undefined;
  } = {},
): TwoNodes {
  const queue: { from: TestNode; envelope: FameEnvelope; upstream: boolean }[] = [];
  const dropped: TwoNodes['dropped'] = [];
  const sentinelStore = new KeyStore({ provider });
  const policy = new DefaultSecurityPolicy(options.policy ?? STRICT_POLICY);

  function makeNode(path: string): TestNode {
    const keys = new NodeKeys({ provider });
    const store = new KeyStore({ provider });
    const signer = keys.envelopeSigner(path);
    const sent: FameEnvelope[] = [];
    const sign = <E extends FameEnvelope>(envelope: E): E => (envelope.sec?.sig ? envelope : signer.sign(envelope));
    const host: EncryptionHost = {
      physicalPath: () => path,
      send: (envelope) => void queue.push({ from: node, envelope: sign(envelope), upstream: false }),
      sendUpstream: (envelope) => void queue.push({ from: node, envelope: sign(envelope), upstream: true }),
    };
    const channels = new DefaultSecureChannelManager({ provider, ...options.channels });
    const channel = new ChannelEncryptionManager({ channels, host });
    const sealed = new SealedEncryptionManager({
      provider,
      host,
      own: keys,
      recipients: keyStoreRecipients({ store, own: keys, physicalPath: () => path }),
    });
    const node: TestNode = {
      path,
      keys,
      store,
      verifier: new EnvelopeVerifier({ provider, keys: store }),
      channels,
      channel,
      sealed,
      encryption: new CompositeEncryptionManager({ policy, sealed, channel }),
      sent,
      inbox: [],
      sign,
    };
    sentinelStore.addKeys(keys.shareableKeys(), path);
    return node;
  }

  const a = makeNode('/sentinel/a');
  const b = makeNode('/sentinel/b');
  // Signing keys, as fetched by kid (§4.4) when the first signed envelope arrived.
  a.store.addKeys([b.keys.signingJwk()], b.path);
  b.store.addKeys([a.keys.signingJwk()], a.path);
  // What each learned at attach: the sentinel's keys only. Peers' keys come by KeyRequest.
  const owners: Record<string, TestNode> = { 'client@/sentinel/a': a, 'math@/sentinel/b': b, '/sentinel/a': a, '/sentinel/b': b };
  const ownerOf = (address: string | undefined) =>
    address === undefined ? undefined : (owners[address] ?? owners[address.slice(address.indexOf('@') + 1)]);

  function answerKeyRequest(from: TestNode, envelope: FameEnvelope): void {
    const frame = envelope.frame as { address?: string };
    const owner = ownerOf(frame.address);
    if (!owner) return void dropped.push({ envelope, reason: 'no key for address' });
    const announce: KeyAnnounceFrame = keyAnnounceFrame({ physicalPath: owner.path, keys: [owner.keys.encryptionJwk()] });
    deliver(from, createEnvelope({ corrId: envelope.corrId, frame: announce }));
  }

  function deliver(to: TestNode, envelope: FameEnvelope): void {
    const frame = envelope.frame;
    switch (frame.type) {
      case 'SecureOpen':
        return to.channel.handleSecureOpen(envelope as FameEnvelope<typeof frame>);
      case 'SecureAccept':
        return to.channel.handleSecureAccept(envelope as FameEnvelope<typeof frame>);
      case 'SecureClose':
        return to.channel.handleSecureClose(envelope as FameEnvelope<typeof frame>);
      case 'KeyAnnounce': {
        const address = envelope.corrId === undefined ? undefined : to.sealed.keyRequestAddress(envelope.corrId);
        if (address === undefined) return void dropped.push({ envelope, reason: 'uncorrelated KeyAnnounce' });
        to.store.addKeys(frame.keys, address);
        return to.sealed.notifyKeyAvailable(frame.keys[0]!.kid as string);
      }
      case 'DeliveryAck':
        if (to.channel.handleDeliveryNack(envelope)) return;
        return void to.inbox.push(envelope);
      case 'Data':
        to.inbox.push(envelope);
        return;
      default:
        dropped.push({ envelope, reason: `unexpected ${frame.type}` });
    }
  }

  function pump(): void {
    for (let item = queue.shift(); item; item = queue.shift()) {
      item.from.sent.push(item.envelope);
      if (item.upstream) {
        answerKeyRequest(item.from, item.envelope);
        continue;
      }
      const envelope = options.onTransit ? options.onTransit(item.envelope) : item.envelope;
      if (!envelope) continue;
      const target = ownerOf(envelope.to);
      if (!target) dropped.push({ envelope, reason: `no route to ${envelope.to}` });
      else deliver(target, envelope);
    }
  }

  return { a, b, pump, dropped, sentinelStore };
}
