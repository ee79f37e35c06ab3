/**
 * Our side of the HTTP interop scenarios: a sentinel serving WebSocket and HTTP on ONE port
 * (both listeners mounted on one `node:http` server), and HTTP children (an `HttpDialer` plus
 * the callback `HttpListener` the parent POSTs to), built from the public packages as a user
 * would.
 */
import type { AddressInfo } from 'node:net';
import type { Authorizer, Logger, TokenProvider } from '@naylence/core';
import { createFabric, type Fabric, type NodeHooks, type Sentinel } from '@naylence/fabric';
import { sharedSecretAuthorizer, staticTokenProvider } from '@naylence/security';
import {
  HttpDialer,
  HttpListener,
  sharedServer,
  type CallbackAuth,
  type HttpListenerOptions,
  type MountedRequestHandler,
} from '@naylence/transport-http';
import { WebSocketListener } from '@naylence/transport-ws';
import { interopLogger, MathService } from './ours.js';

export interface OurDualSentinel extends AsyncDisposable {
  readonly fabric: Fabric;
  readonly sentinel: Sentinel;
  readonly http: HttpListener;
  readonly ws: WebSocketListener;
  readonly port: number;
  /** `ws://127.0.0.1:{port}/fame/v1/attach/ws/downstream`. */
  readonly url: string;
  /** `http://127.0.0.1:{port}/fame/v1/ingress/downstream`. */
  readonly ingressUrl: string;
  stop(): Promise<void>;
}

/**
 * Our sentinel with a WebSocket and an HTTP listener on one port. `httpToken`: children's
 * POSTs must carry `Authorization: Bearer {httpToken}` (shared-secret authorizer).
 */
export async function startOurDualSentinel(
  options: {
    id?: string;
    httpToken?: string;
    /** Instead of the shared secret: any authorizer for the HTTP ingress. */
    httpAuthorizer?: Authorizer;
    logger?: Logger;
    hooks?: readonly NodeHooks[];
    http?: Omit<HttpListenerOptions, 'server' | 'authorizer' | 'host' | 'port'>;
  } = {},
): Promise<OurDualSentinel> {
  const handlers: MountedRequestHandler[] = [];
  const server = sharedServer(handlers);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = new WebSocketListener({ server });
  const http = new HttpListener({
    ...options.http,
    server,
    ...(options.httpToken !== undefined && { authorizer: sharedSecretAuthorizer({ secret: options.httpToken }) }),
    ...(options.httpAuthorizer !== undefined && { authorizer: options.httpAuthorizer }),
  });
  handlers.push(http, ws);
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let fabric: Fabric;
  try {
    fabric = await createFabric({
      ...(options.id !== undefined && { systemId: options.id }),
      logger: options.logger ?? interopLogger(),
      listeners: [ws, http],
      ...(options.hooks !== undefined && { hooks: options.hooks }),
    });
  } catch (error) {
    await closeServer();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const stop = async () => {
    await fabric.stop();
    server.closeAllConnections();
    await closeServer();
  };
  return {
    fabric,
    sentinel: fabric.node as Sentinel,
    http,
    ws,
    port,
    url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`,
    ingressUrl: `http://127.0.0.1:${port}/fame/v1/ingress/downstream`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A fabric attached over HTTP, and the callback listener it owns. Dispose to stop both. */
export interface OurHttpNode extends AsyncDisposable {
  readonly fabric: Fabric;
  readonly callback: HttpListener;
  stop(): Promise<void>;
}

/** Our node attached over HTTP to the ingress at `ingressUrl` (`…/fame/v1/ingress/downstream`). */
export async function connectOurHttpNode(
  ingressUrl: string,
  options: {
    id?: string;
    token?: string | TokenProvider;
    callbackAuth?: CallbackAuth;
    publicUrl?: string;
    heartbeatMs?: number;
    logger?: Logger;
  } = {},
): Promise<OurHttpNode> {
  const logger = options.logger ?? interopLogger();
  const callback = new HttpListener({
    host: '127.0.0.1',
    logger,
    ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
  });
  const tokenProvider = typeof options.token === 'string' ? staticTokenProvider(options.token) : options.token;
  let fabric: Fabric;
  try {
    fabric = await createFabric({
      ...(options.id !== undefined && { systemId: options.id }),
      logger,
      connect: {
        dialer: new HttpDialer({
          url: ingressUrl,
          callback,
          logger,
          ...(tokenProvider !== undefined && { tokenProvider }),
          ...(options.callbackAuth !== undefined && { callbackAuth: options.callbackAuth }),
        }),
        ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
      },
    });
  } catch (error) {
    await callback.close();
    throw error;
  }
  const stop = async () => {
    await fabric.stop();
    await callback.close();
  };
  return { fabric, callback, stop, [Symbol.asyncDispose]: stop };
}

/** Our agent over HTTP, serving {@link MathService} at `math@fame.fabric`. */
export async function startOurHttpAgent(
  ingressUrl: string,
  options: Parameters<typeof connectOurHttpNode>[1] & { capability?: string } = {},
): Promise<OurHttpNode> {
  const node = await connectOurHttpNode(ingressUrl, options);
  try {
    await node.fabric.serve('math@fame.fabric', new MathService(node.fabric.node.systemId), {
      capabilities: options.capability === undefined ? [] : [options.capability],
    });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

/** An authorizer accepting exactly `Bearer {secret}`, recording what was presented. */
export function recordingAuthorizer(secret: string): Authorizer & { readonly presented: (string | undefined)[] } {
  const presented: (string | undefined)[] = [];
  return {
    presented,
    authenticate: (credentials) => {
      presented.push(credentials);
      return Promise.resolve(credentials === `Bearer ${secret}` ? { authenticated: true, authMethod: 'test' } : undefined);
    },
  };
}
