/** Our implementation of the bench roles: @naylence/fabric over @naylence/transport-ws or @naylence/transport-http. */
import type { Dialer } from '@naylence/core';
import { createFabric, type Fabric, type FabricOptions, type Sentinel } from '@naylence/fabric';
import { admissionTokenProviderFromEnv, loadSecurityPlugins, nodeSecurityFromEnv } from '@naylence/security';
import { HttpDialer, HttpListener, sharedServer, type MountedRequestHandler } from '@naylence/transport-http';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import type { BenchClient, Impl, Transport } from './impl.js';

const math = { add: ({ x, y }: { x: number; y: number }) => x + y };
const attachUrl = (port: number) => `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`;
const ingressUrl = (port: number) => `http://127.0.0.1:${port}/fame/v1/ingress/downstream`;

/**
 * The security the role's environment asks for (`FAME_SECURITY_PROFILE`, … as `RoleSpec.env`
 * sets them, plug-ins from `FAME_PLUGINS` first), the same way `naylence sentinel` and
 * `createFabricFromEnv` build it; none for open.
 */
async function securityFromEnv(
  acceptsLinks: boolean,
): Promise<Pick<FabricOptions, 'security' | 'env'> & { authorizer?: ReturnType<typeof nodeSecurityFromEnv>['authorizer'] }> {
  if (process.env.FAME_SECURITY_PROFILE === undefined) return { env: {} };
  await loadSecurityPlugins({ env: process.env });
  const security = nodeSecurityFromEnv({ env: process.env, acceptsLinks });
  const authorizer = security.authorizerProfile === 'noop' ? undefined : security.authorizer;
  return { security, env: process.env, ...(authorizer !== undefined && { authorizer }) };
}

/** A fabric attached to the sentinel on `port`; over HTTP it also owns its callback listener. */
async function attach(port: number, id: string, transport: Transport = 'ws'): Promise<{ fabric: Fabric; stop(): Promise<void> }> {
  if (transport === 'ws') {
    const { security, env } = await securityFromEnv(false);
    const tokenProvider = admissionTokenProviderFromEnv(process.env);
    const fabric = await createFabric({
      systemId: id,
      connect: {
        dialer: new WebSocketDialer({ url: attachUrl(port), ...(tokenProvider !== undefined && { tokenProvider }) }),
        ...(tokenProvider !== undefined && { enforces: { admission: ['direct'] } }),
      },
      ...(security !== undefined && { security }),
      ...(env !== undefined && { env }),
    });
    return { fabric, stop: () => fabric.stop() };
  }
  const callback = new HttpListener({ host: '127.0.0.1', port: 0 });
  const dialer: Dialer = new HttpDialer({ url: ingressUrl(port), callback });
  const fabric = await createFabric({ systemId: id, connect: dialer });
  return {
    fabric,
    stop: async () => {
      await fabric.stop();
      await callback.close();
    },
  };
}

export const impl: Impl = {
  async sentinel(transport) {
    if (transport !== 'http') {
      const { security, env, authorizer } = await securityFromEnv(true);
      const fabric = await createFabric({
        systemId: `sentinel-${process.pid}`,
        listeners: [new WebSocketListener({ host: '127.0.0.1', port: 0, ...(authorizer !== undefined && { authorizer }) })],
        ...(security !== undefined && { security }),
        ...(env !== undefined && { env }),
      });
      return { port: (fabric.node as Sentinel).addresses[0]!.port, stop: () => fabric.stop() };
    }
    // WebSocket and HTTP on one port (both listeners mounted on one server).
    const handlers: MountedRequestHandler[] = [];
    const server = sharedServer(handlers);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ws = new WebSocketListener({ server });
    const http = new HttpListener({ server });
    handlers.push(http, ws);
    const fabric = await createFabric({ systemId: `sentinel-${process.pid}`, listeners: [ws, http] });
    return {
      port: (fabric.node as Sentinel).addresses[0]!.port,
      stop: async () => {
        await fabric.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },

  async agent(port, id, transport) {
    const { fabric, stop } = await attach(port, id, transport);
    let delivered = 0;
    await fabric.serve('math@fame.fabric', math);
    await fabric.subscribe('sink@fame.fabric', () => void delivered++);
    return { delivered: () => delivered, stop };
  },

  async client(port, id, transport) {
    const { fabric, stop } = await attach(port, id, transport);
    return {
      add: (x, timeoutMs) => fabric.invoke<number>('math@fame.fabric', 'add', { x, y: 1 }, { timeoutMs }),
      send: (payload, to = 'sink@fame.fabric') => fabric.send(to, payload),
      stop,
    } satisfies BenchClient;
  },

  async consumer(port, id, address, stuck) {
    const { fabric, stop } = await attach(port, id);
    await fabric.subscribe(address, stuck ? () => new Promise(() => {}) : () => undefined);
    return { stop };
  },

  async inproc() {
    const fabric = await createFabric();
    const { address } = await fabric.serve('math', math);
    return {
      add: (x, timeoutMs) => fabric.invoke<number>(address, 'add', { x, y: 1 }, { timeoutMs }),
      send: (payload) => fabric.send(address, payload),
      stop: () => fabric.stop(),
    };
  },
};
