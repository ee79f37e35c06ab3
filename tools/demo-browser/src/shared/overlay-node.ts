/**
 * A node running the `overlay` security profile, written once for both sides: the page builds it
 * with the browser entry of `@naylence/security` (WebCrypto Ed25519 where the browser has it,
 * noble otherwise), the bench's Node side with the Node entry (node:crypto). The node's own
 * stages sign what it originates and verify what it receives; this module only counts the
 * Ed25519 work they do and records what they refused, so a page can show it.
 */
import { randomId, type FameEnvelope, type TokenProvider } from '@naylence/core';
import { createFabric, type Fabric } from '@naylence/fabric';
import {
  defaultCryptoProvider,
  loadDefaultCryptoProvider,
  nodeSecurityFromEnv,
  type AsyncEd25519Operations,
  type CryptoProvider,
  type Ed25519Operations,
  type ProfileNodeSecurity,
} from '@naylence/security';
import { WebSocketDialer } from '@naylence/transport-ws';

/** The overlay agent's service (see `server/overlay.ts`). */
export const OVERLAY_SERVICE = 'overlay@fame.fabric';

/** A client or agent in `overlay`: it accepts no links, so no authorizer is built. */
export const OVERLAY_CLIENT_ENV = Object.freeze({ FAME_SECURITY_PROFILE: 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' });

export interface Ed25519Counts {
  signs: number;
  verifies: number;
}

/** `provider` with every Ed25519 signature and verification counted (synchronous and asynchronous). */
export function countingProvider(provider: CryptoProvider): { provider: CryptoProvider; counts: Ed25519Counts } {
  const counts: Ed25519Counts = { signs: 0, verifies: 0 };
  const counted = <O extends Ed25519Operations | AsyncEd25519Operations>(ops: O): O => ({
    ...ops,
    signer: (key: Uint8Array) => {
      const sign = ops.signer(key);
      return (message: Uint8Array) => (counts.signs++, sign(message));
    },
    verifier: (key: Uint8Array) => {
      const verify = ops.verifier(key);
      return (message: Uint8Array, signature: Uint8Array) => (counts.verifies++, verify(message, signature));
    },
  });
  const async = provider.ed25519Async;
  return {
    provider: { ...provider, ed25519: counted(provider.ed25519), ...(async !== undefined && { ed25519Async: counted(async) }) },
    counts,
  };
}

export interface OverlayNode {
  readonly fabric: Fabric;
  readonly security: ProfileNodeSecurity;
  /** `noble+webcrypto`, `noble` or `node:crypto`. */
  readonly provider: string;
  readonly counts: Ed25519Counts;
  /** Envelopes the node's security refused (deliver stage), with the error code and message. */
  readonly refused: { id: string; code: string; reason: string }[];
  /** How many envelopes reached a local handler carrying a signature (after the deliver stage verified them). */
  readonly signedDeliveries: { count: number };
}

/**
 * Attaches a node in `overlay` to the sentinel at `wsUrl`. `crypto: 'sync'` uses the platform's
 * synchronous provider (noble in a browser, node:crypto on Node) instead of the fastest one
 * (WebCrypto Ed25519 in a browser).
 */
export async function attachOverlayNode(
  wsUrl: string,
  tokenProvider: TokenProvider,
  crypto: 'fastest' | 'sync' = 'fastest',
): Promise<OverlayNode> {
  const platform = crypto === 'sync' ? defaultCryptoProvider() : await loadDefaultCryptoProvider();
  const { provider, counts } = countingProvider(platform);
  const security = nodeSecurityFromEnv({ env: OVERLAY_CLIENT_ENV, provider });
  const refused: OverlayNode['refused'] = [];
  const signedDeliveries = { count: 0 };
  const fabric = await createFabric({
    systemId: `page-${randomId()}`,
    connect: new WebSocketDialer({ url: wsUrl, tokenProvider }),
    security,
    env: OVERLAY_CLIENT_ENV,
    hooks: [
      {
        onDropped: (envelope: FameEnvelope, code: string, reason: string) => void refused.push({ id: envelope.id, code, reason }),
        onBeforeDeliver: (envelope: FameEnvelope) => void (envelope.sec?.sig !== undefined && signedDeliveries.count++),
      },
    ],
  });
  return { fabric, security, provider: platform.name, counts, refused, signedDeliveries };
}

/** What the overlay agent's `echo` answers: the text, and what the sentinel saw of the request. */
export interface EchoAnswer {
  readonly text: string;
  readonly servedBy: string;
  readonly sentinelSaw?: { readonly sig?: { readonly kid: string; readonly alg?: string } };
}

/** One overlay RPC: signed by `node` on the way out, its answer verified by `node` on the way in. */
export function overlayEcho(node: OverlayNode, text: string): Promise<EchoAnswer> {
  return node.fabric.invoke<EchoAnswer>(OVERLAY_SERVICE, 'echo', { text, from: node.fabric.node.systemId });
}
