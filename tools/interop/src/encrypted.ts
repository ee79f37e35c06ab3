/**
 * Fixtures for the overlay-encryption scenarios: the example add-on's `encrypted-overlay` profile
 * (the built-in `overlay` plus channel and sealed levels, `FAME_DEFAULT_ENCRYPTION_LEVEL` choosing
 * the outbound one, as `strict-overlay` does but without certificates), our nodes built from it,
 * our overlay sentinel, and a wire tap: a WebSocket relay in front of a sentinel that records
 * every frame the sentinel receives or sends, so tests can look at the bytes it saw.
 */
import type { AddressInfo } from 'node:net';
import type { Logger, NodeSecurity } from '@naylence/core';
import { createFabric, type Fabric, type NodeHooks, type Sentinel } from '@naylence/fabric';
import { ENCRYPTED_OVERLAY, ENCRYPTED_OVERLAY_PROFILE } from '@naylence-tools/security-addon-example';
import {
  defaultProfileRegistry,
  nodeSecurityFromEnv,
  SECURITY_PROFILE_BASE_TYPE,
  type NodeSecurityFromEnvOptions,
  type ProfileNodeSecurity,
} from '@naylence/security';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { interopLogger } from './ours.js';

export { ENCRYPTED_OVERLAY };

/** Registers {@link ENCRYPTED_OVERLAY} in the process-wide registry (idempotent). */
export function registerEncryptedOverlay(): void {
  defaultProfileRegistry().register(SECURITY_PROFILE_BASE_TYPE, ENCRYPTED_OVERLAY, ENCRYPTED_OVERLAY_PROFILE, {
    source: 'interop tests',
    allowOverride: true,
  });
}

export type Level = 'channel' | 'sealed';

/** Our client or agent in `encrypted-overlay` at `level`, attached to `url`. */
export async function encryptedNode(
  url: string,
  level: Level,
  options: { id?: string; hooks?: readonly NodeHooks[]; logger?: Logger; security?: Partial<NodeSecurityFromEnvOptions> } = {},
): Promise<Fabric & { readonly security: ProfileNodeSecurity }> {
  registerEncryptedOverlay();
  const env = { FAME_SECURITY_PROFILE: ENCRYPTED_OVERLAY, FAME_AUTHORIZATION_PROFILE: 'noop', FAME_DEFAULT_ENCRYPTION_LEVEL: level };
  const logger = options.logger ?? interopLogger();
  const security = nodeSecurityFromEnv({ env, logger, ...options.security });
  const fabric = await createFabric({
    ...(options.id !== undefined && { systemId: options.id }),
    logger,
    env,
    security,
    connect: { dialer: new WebSocketDialer({ url, logger }) },
    ...(options.hooks !== undefined && { hooks: options.hooks }),
  });
  return Object.assign(fabric, { security });
}

/** Our sentinel on 127.0.0.1:0 in `profile` (default `overlay`) with the `noop` authorizer; `security` may wrap its NodeSecurity. */
export async function ourSecureSentinel(
  options: { profile?: string; wrap?: (security: ProfileNodeSecurity) => NodeSecurity; hooks?: readonly NodeHooks[] } = {},
): Promise<{ readonly fabric: Fabric; readonly url: string; readonly security: ProfileNodeSecurity } & AsyncDisposable> {
  registerEncryptedOverlay();
  const env = { FAME_SECURITY_PROFILE: options.profile ?? 'overlay', FAME_AUTHORIZATION_PROFILE: 'noop' };
  const logger = interopLogger();
  const profiled = nodeSecurityFromEnv({ env, logger, acceptsLinks: true });
  const security = options.wrap?.(profiled) ?? profiled;
  const listener = new WebSocketListener({ host: '127.0.0.1', port: 0, ...(profiled.authorizer && { authorizer: profiled.authorizer }) });
  const fabric = await createFabric({
    logger,
    env,
    security,
    listeners: [listener],
    ...(options.hooks !== undefined && { hooks: options.hooks }),
  });
  const url = (fabric.node as Sentinel).addresses[0]!.url;
  return { fabric, url, security: profiled, [Symbol.asyncDispose]: () => fabric.stop() };
}

export interface TappedFrame {
  /** `in`: to the sentinel; `out`: from it. */
  readonly direction: 'in' | 'out';
  readonly text: string;
}

/** What the scenarios read of a tapped envelope (as JSON, unvalidated). */
export interface TappedEnvelope {
  readonly to?: string;
  readonly frame?: { readonly type?: string; readonly payload?: unknown };
  readonly sec?: { readonly enc?: { readonly alg?: string }; readonly sig?: { readonly val?: string } };
}

export interface WireTap extends AsyncDisposable {
  /** The attach URL to dial instead of the sentinel's. */
  readonly url: string;
  readonly frames: readonly TappedFrame[];
  /** Every frame as parsed JSON (frames that are not JSON are skipped). */
  envelopes(): { direction: 'in' | 'out'; envelope: TappedEnvelope }[];
}

/**
 * A relay in front of the sentinel at `target` (its attach URL): each connection to the tap is
 * dialed through to the same path on the sentinel, and every message either way is recorded.
 */
export async function startWireTap(target: string): Promise<WireTap> {
  const origin = new URL(target);
  const frames: TappedFrame[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const sockets = new Set<WebSocket>();
  server.on('connection', (client, request) => {
    const upstream = new WebSocket(`${origin.protocol}//${origin.host}${request.url ?? '/'}`);
    sockets.add(client).add(upstream);
    const early: { data: RawData; binary: boolean }[] = [];
    const relay = (to: WebSocket, direction: TappedFrame['direction']) => (data: RawData, binary: boolean) => {
      frames.push({ direction, text: (data as Buffer).toString('utf8') });
      to.send(data, { binary });
    };
    client.on('message', (data: RawData, binary: boolean) => {
      if (upstream.readyState === WebSocket.OPEN) relay(upstream, 'in')(data, binary);
      else early.push({ data, binary });
    });
    upstream.on('open', () => {
      for (const { data, binary } of early.splice(0)) relay(upstream, 'in')(data, binary);
    });
    upstream.on('message', relay(client, 'out'));
    const closeBoth = (code: number) => {
      const valid = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
      for (const ws of [client, upstream]) if (ws.readyState === WebSocket.OPEN) ws.close(valid);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', () => closeBoth(1011));
    upstream.on('error', () => closeBoth(1011));
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}${origin.pathname}`,
    frames,
    envelopes() {
      const out: { direction: 'in' | 'out'; envelope: TappedEnvelope }[] = [];
      for (const { direction, text } of frames) {
        try {
          out.push({ direction, envelope: JSON.parse(text) as TappedEnvelope });
        } catch {
          // not JSON: not an envelope
        }
      }
      return out;
    },
    async [Symbol.asyncDispose]() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The service the encryption scenarios call: every answer carries the secret it was given. */
export class SecretService {
  reveal({ text }: { text: string }): string {
    return `revealed:${text}`;
  }
  async *spell({ text, times }: { text: string; times: number }): AsyncGenerator<string> {
    for (let i = 0; i < times; i++) yield `${i}:${text}`;
  }
}
