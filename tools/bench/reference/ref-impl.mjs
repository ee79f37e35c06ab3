// The bench roles on the reference implementation (@naylence/runtime 0.4.12), driven only
// through its public API, with the configs documented in /work/refprobe/REPORT.md §3.
// Loaded by ../dist/roles/host.js; implements the `Impl` interface of ../src/roles/impl.ts.
//
// The runtime is installed only in tools/interop (under the alias `ref-runtime`), so it is
// imported from there by path: the package's `exports["."].import` entry.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkgDir = fileURLToPath(new URL('../../interop/node_modules/ref-runtime/', import.meta.url));
const pkg = JSON.parse(readFileSync(`${pkgDir}package.json`, 'utf8'));
const rt = await import(pathToFileURL(`${pkgDir}${pkg.exports['.'].import}`).href);

// The security profile comes from the role's environment (FAME_SECURITY_PROFILE, and the
// variables of its authorizer such as FAME_AUTHORIZATION_PROFILE), as the agent SDK's configs read it.
const common = {
  security: { type: 'SecurityProfile', profile: process.env.FAME_SECURITY_PROFILE || 'open' },
  storage: { type: 'StorageProfile', profile: 'memory' },
  delivery: { type: 'DeliveryProfile', profile: 'at-most-once' },
};

/** Over HTTP (`transport: 'http'`) the node POSTs to the sentinel's ingress and gets its own HttpListener for the callbacks. */
function grantFor(port, transport) {
  return transport === 'http'
    ? { type: 'HttpConnectionGrant', purpose: 'node.attach', url: `http://127.0.0.1:${port}/fame/v1/ingress/downstream` }
    : { type: 'WebSocketConnectionGrant', purpose: 'node.attach', url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream` };
}

function nodeConfig(port, id, logicals, transport) {
  return {
    plugins: ['@naylence/runtime'],
    node: {
      type: 'Node',
      id, // always explicit: the default fingerprint ids of one host collide
      ...(logicals && { requested_logicals: logicals }),
      identity_policy: { type: 'NodeIdentityPolicyProfile', profile: 'default' },
      admission: {
        type: 'DirectAdmissionClient',
        connection_grants: [{ ...grantFor(port, transport), auth: { type: 'NoAuth' }, ttl: 0, durable: false }],
      },
      ...(transport === 'http' && { listeners: [{ type: 'HttpListener', host: '127.0.0.1', port: 0 }] }),
      ...common,
    },
  };
}

async function enter(rootConfig) {
  const fabric = await rt.FameFabric.create({ rootConfig });
  await fabric.enter();
  return fabric;
}

const MATH = new rt.FameAddress('math@fame.fabric');
const SINK = new rt.FameAddress('sink@fame.fabric');

function client(fabric, math) {
  return {
    add: (x, timeoutMs) => fabric.invoke(math, 'add', { x, y: 1 }, timeoutMs),
    send: async (payload, to) => {
      await fabric.send(rt.createFameEnvelope({ to: to === undefined ? SINK : new rt.FameAddress(to), frame: { type: 'Data', payload } }));
    },
    stop: () => fabric.exit(),
  };
}

export const impl = {
  // The sentinel always serves WebSocket and HTTP on one port.
  async sentinel() {
    const listener = { host: '127.0.0.1', port: 0 };
    const fabric = await enter({
      plugins: ['@naylence/runtime'],
      node: {
        type: 'Sentinel',
        id: `ref-sentinel-${process.pid}`,
        requested_logicals: ['fame.fabric'],
        listeners: [
          { type: 'WebSocketListener', ...listener },
          { type: 'HttpListener', ...listener },
        ],
        admission: { type: 'AdmissionProfile', profile: 'none' },
        ...common,
      },
    });
    const port = fabric.node.eventListeners.find((l) => l?.httpServer)?.httpServer.actualPort;
    return { port, stop: () => fabric.exit() };
  },

  async agent(port, id, transport) {
    const fabric = await enter(nodeConfig(port, id, ['fame.fabric'], transport));
    let delivered = 0;
    await fabric.serve(
      {
        async handleRpcRequest(method, params) {
          if (method === 'add') return params.x + params.y;
          throw new Error(`Method not found: ${method}`);
        },
      },
      'math@fame.fabric',
    );
    await fabric.serve(
      {
        async handleMessage() {
          delivered++;
          return null;
        },
      },
      'sink@fame.fabric',
    );
    return { delivered: () => delivered, stop: () => fabric.exit() };
  },

  async client(port, id, transport) {
    return client(await enter(nodeConfig(port, id, undefined, transport)), MATH);
  },

  // A consumer of one-way messages; a stuck one never finishes handling any.
  async consumer(port, id, address, stuck) {
    const fabric = await enter(nodeConfig(port, id, ['fame.fabric']));
    await fabric.serve({ handleMessage: stuck ? () => new Promise(() => {}) : async () => null }, address);
    return { stop: () => fabric.exit() };
  },

  async inproc() {
    const fabric = await rt.FameFabric.create();
    await fabric.enter();
    const address = await fabric.serve(
      {
        async handleRpcRequest(method, params) {
          return params.x + params.y;
        },
      },
      'math',
    );
    return client(fabric, address);
  },
};
