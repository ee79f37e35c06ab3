import type { Fabric } from '@naylence/fabric';
import type { FameEnvelope } from '@naylence/core';
import { defaultCryptoProvider } from '@naylence/security';
import { SigningParty } from '../shared/signed-exchange.js';

/** The Node math agent's address. */
export const MATH_ADDRESS = 'math@fame.fabric';
/** The Node side of the signed round trip. */
export const SIGNER_ADDRESS = 'signer@fame.fabric';

/**
 * The math agent: `add`, and `askPage`, which calls `multiply` on a service a page serves (the
 * call from Node to an agent in the page).
 */
export async function serveMath(fabric: Fabric): Promise<void> {
  await fabric.serve(MATH_ADDRESS, {
    add: ({ x, y }: { x: number; y: number }) => x + y,
    askPage: async ({ address, x, y }: { address: string; x: number; y: number }) => ({
      product: await fabric.invoke<number>(address, 'multiply', { x, y }),
      askedBy: fabric.physicalPath,
    }),
  });
}

/**
 * The Node side of the signed round trip: learns the caller's keys, verifies what it signed
 * (node:crypto), and answers with an envelope signed by its own key; refuses a tampered copy.
 */
export async function serveSigner(fabric: Fabric): Promise<SigningParty> {
  const party = new SigningParty(defaultCryptoProvider(), fabric.physicalPath);
  await fabric.serve(SIGNER_ADDRESS, {
    exchangeKeys: (peer: { path: string; keys: object[] }) => {
      party.learn(peer);
      return party.shareable();
    },
    verifyAndAnswer: async ({ envelope }: { envelope: FameEnvelope }) => {
      const verified = await party.verify(envelope);
      const answer = await party.sign(SIGNER_ADDRESS, { text: 'signed in Node', inReplyTo: envelope.id });
      return { verified, answer };
    },
    verifyTampered: async ({ envelope }: { envelope: FameEnvelope }) => {
      try {
        await party.verify(envelope);
        return { refused: false };
      } catch (error) {
        const { code, failure } = error as { code?: string; failure?: string };
        return { refused: true, code, failure };
      }
    },
  });
  return party;
}
