import { ConfigError, type NodeHelloFrame } from '@naylence/core';
import { HTTP_CONNECTION_GRANT, NODE_ATTACH_PURPOSE, WEBSOCKET_CONNECTION_GRANT } from '../grants.js';
import type { PlacementDecision } from './placement.js';

/** What a provisioner gets: the decision, the hello and the attach token for it. */
export interface ProvisionRequest {
  readonly placement: Extract<PlacementDecision, { accept: true }>;
  readonly hello: NodeHelloFrame;
  readonly attachToken: string;
}

/**
 * Tells a node how to reach its parent (`TransportProvisioner`): one grant per welcome, for a
 * transport the node supports.
 */
export interface TransportProvisioner {
  /** The transport name a hello lists in `supportedTransports`: `websocket`, `http`. */
  readonly transport: string;
  provision(request: ProvisionRequest): Record<string, unknown> | Promise<Record<string, unknown>>;
}

function checkUrl(value: string, schemes: readonly string[], what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what}: ${JSON.stringify(value)} is not a URL`);
  }
  if (!schemes.includes(url.protocol)) throw new ConfigError(`${what}: the URL must use ${schemes.join(' or ')}, got ${url.protocol}`);
  return value.trim();
}

/**
 * A `WebSocketConnectionGrant` to `url` (the parent's `…/fame/v1/attach/ws/downstream`) with the
 * attach token as WebSocket subprotocols (`WebSocketTransportProvisioner`, §3.2).
 */
export function webSocketProvisioner(options: { readonly url: string }): TransportProvisioner {
  const url = checkUrl(options.url, ['ws:', 'wss:'], 'WebSocket transport provisioner');
  return {
    transport: 'websocket',
    provision: ({ attachToken }) => ({
      type: WEBSOCKET_CONNECTION_GRANT,
      purpose: NODE_ATTACH_PURPOSE,
      url,
      auth: { type: 'WebSocketSubprotocolAuth', tokenProvider: { type: 'StaticTokenProvider', token: attachToken } },
    }),
  };
}

/**
 * An `HttpConnectionGrant` to `url` (the parent's `…/fame/v1/ingress/downstream`) with the attach
 * token as `Authorization: Bearer` (ours: the reference provisions WebSocket only).
 */
export function httpProvisioner(options: { readonly url: string }): TransportProvisioner {
  const url = checkUrl(options.url, ['http:', 'https:'], 'HTTP transport provisioner');
  return {
    transport: 'http',
    provision: ({ attachToken }) => ({
      type: HTTP_CONNECTION_GRANT,
      purpose: NODE_ATTACH_PURPOSE,
      url,
      auth: { type: 'BearerTokenHeaderAuth', tokenProvider: { type: 'StaticTokenProvider', token: attachToken } },
    }),
  };
}
