/**
 * Scenario 13: attacks on overlay encryption by an on-path router, over real WebSockets. Our
 * sentinel runs a hostile outbound stage: once armed, it rewrites the encrypted Data envelopes
 * it forwards to the agent (the rest of the sentinel is honest). Each attack is refused at the
 * agent, with the refusal's code, and afterwards an honest call over the same links succeeds:
 * the link and the sentinel stay up.
 */
import { EnvelopeRejection, type FameEnvelope, type NodeSecurity } from '@naylence/core';
import type { NodeHooks } from '@naylence/fabric';
import { defaultCryptoProvider, sealEnvelope, type ProfileNodeSecurity } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { uniqueId } from './harness.js';
import { encryptedNode, ourSecureSentinel, type Level } from './encrypted.js';
import { eventually } from './ours.js';

type Tamper = (envelope: FameEnvelope) => FameEnvelope;

/** `security`, with every forwarded encrypted Data envelope to `secret@fame.fabric` passed through `attack.tamper` once armed. */
function onPath(security: ProfileNodeSecurity, attack: { tamper: Tamper | undefined }): NodeSecurity {
  const outbound = security.outbound!;
  const tampered = (result: Awaited<ReturnType<typeof outbound>>) =>
    result instanceof EnvelopeRejection || result.sec?.enc === undefined || result.to !== 'secret@fame.fabric' || !attack.tamper
      ? result
      : attack.tamper(result);
  return {
    name: 'on-path attacker',
    enforces: security.enforces,
    start: (host) => security.start!(host),
    stop: () => security.stop!(),
    inbound: security.inbound!,
    deliver: security.deliver!,
    outbound: (envelope, context) => {
      const result = outbound(envelope, context);
      if (context.origin === 'local') return result;
      return result instanceof Promise ? result.then(tampered) : tampered(result);
    },
    claim: (envelope, context) => security.claim!(envelope, context),
    authorizeAttach: (attach, link) => security.authorizeAttach!(attach, link),
    attachFields: (link) => security.attachFields!(link),
    checkAttachAck: (ack, link) => security.checkAttachAck!(ack, link),
    onLinkAttached: (link) => security.onLinkAttached!(link),
    onLinkClosed: (link) => security.onLinkClosed!(link),
  };
}

class Recording {
  readonly texts: string[] = [];
  reveal({ text }: { text: string }): string {
    this.texts.push(text);
    return `revealed:${text}`;
  }
}

async function underAttack(level: Level, arm: (ctx: { agentSecurity: ProfileNodeSecurity; seen: FameEnvelope[] }) => Tamper, code: string) {
  const attack: { tamper: Tamper | undefined } = { tamper: undefined };
  const seen: FameEnvelope[] = [];
  await using sentinel = await ourSecureSentinel({
    wrap: (security) =>
      onPath(security, {
        get tamper() {
          return attack.tamper;
        },
      }),
    hooks: [{ onBeforeForward: (envelope) => void (envelope.frame.type === 'Data' && seen.push(envelope)) }],
  });
  const dropped: string[] = [];
  const hooks: NodeHooks[] = [{ onDropped: (_envelope, dropCode) => void dropped.push(dropCode) }];
  await using agent = await encryptedNode(sentinel.url, level, { id: uniqueId('victim'), hooks });
  const service = new Recording();
  await agent.serve('secret@fame.fabric', service);
  await using client = await encryptedNode(sentinel.url, level, { id: uniqueId('caller') });

  expect(await client.invoke('secret@fame.fabric', 'reveal', { text: 'honest-1' })).toBe('revealed:honest-1');
  attack.tamper = arm({ agentSecurity: agent.security, seen });
  const attacked = client.invoke('secret@fame.fabric', 'reveal', { text: 'attacked' }, { timeoutMs: 1_500 });
  await expect(attacked).rejects.toBeDefined();
  await eventually(async () => expect(dropped).toContain(code));
  attack.tamper = undefined;

  // Refused without harm: the handler never saw it, and the same links carry the next call.
  expect(service.texts).toEqual(['honest-1']);
  expect(await client.invoke('secret@fame.fabric', 'reveal', { text: 'honest-2' })).toBe('revealed:honest-2');
  expect(service.texts).toEqual(['honest-1', 'honest-2']);
  expect(client.node.isAttached && agent.node.isAttached && sentinel.fabric.node.isRunning).toBe(true);
  return dropped;
}

/** The channel payload (standard base64 of ciphertext ‖ tag) with the tag's last byte flipped. */
const flipTag = (payload: string) => {
  const bytes = Buffer.from(payload, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  return bytes.toString('base64');
};

describe('interop: attacks on overlay encryption by an on-path router', () => {
  it('13a. W1: ciphertext swapped under a valid signature (sealed to the victim’s key) is refused after decryption', async () => {
    await underAttack(
      'sealed',
      ({ agentSecurity }) =>
        (envelope) => {
          const keys = agentSecurity.nodeKeys!;
          const forged = {
            ...envelope,
            frame: {
              ...envelope.frame,
              codec: 'json',
              payload: { jsonrpc: '2.0', id: 'forged', method: 'reveal', params: { text: 'forged' } },
            },
            sec: { sig: envelope.sec!.sig! },
          } as FameEnvelope;
          return sealEnvelope(defaultCryptoProvider(), forged, {
            recipientPublicKey: keys.encryptionPublicKey,
            recipientKid: keys.encryptionKid,
          });
        },
      'SIGNATURE_INVALID',
    );
  });

  it('13b. a replayed channel message is refused', async () => {
    await underAttack(
      'channel',
      ({ seen }) => {
        const earlier = seen.find((envelope) => envelope.to === 'secret@fame.fabric' && envelope.sec?.enc !== undefined)!;
        expect(earlier).toBeDefined();
        return () => earlier;
      },
      'REPLAY_DETECTED',
    );
  });

  it('13c. a tampered tag is refused', async () => {
    await underAttack(
      'channel',
      () => (envelope) =>
        ({ ...envelope, frame: { ...envelope.frame, payload: flipTag((envelope.frame as { payload: string }).payload) } }) as FameEnvelope,
      'DECRYPTION_FAILED',
    );
  });

  it('13d. a message on a channel the victim does not know is refused', async () => {
    await underAttack(
      'channel',
      () => (envelope) => ({
        ...envelope,
        sec: { ...envelope.sec, enc: { ...envelope.sec!.enc!, kid: 'auto-secret@fame.fabric-unknown' } },
      }),
      'DECRYPTION_FAILED',
    );
  });
});
