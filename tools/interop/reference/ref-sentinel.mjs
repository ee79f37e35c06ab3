// Reference sentinel on 127.0.0.1.
// Usage: node ref-sentinel.mjs [--port=N] [--id=ID] [--token=SECRET] [--host=H] [--security=PROFILE]
// Env fallbacks: PORT (or FAME_LISTENER_PORT), FAME_NODE_ID, SENTINEL_TOKEN.
// With a token, the WebSocket listener gets a SharedSecretAuthorizer: a client must present
// that exact bearer token (subprotocols ["bearer", token]).
// --security selects the node's security profile (default `open`); the reference picks its
// authorizer from the profile and the environment: FAME_AUTHORIZATION_PROFILE (e.g. `noop` for
// overlay without OAuth2), and for `gated` the oauth2-gated authorizer reads FAME_JWT_TRUSTED_ISSUER,
// FAME_JWT_AUDIENCE, FAME_JWT_ALGORITHM and fetches <issuer>/.well-known/jwks.json.
import { rt, PKGS, emit, parseArgs, listenerPorts, onSignals } from './_common.mjs';

const args = parseArgs();
const host = args.host ?? process.env.SENTINEL_HOST ?? '127.0.0.1';
const port = Number(args.port ?? process.env.PORT ?? process.env.FAME_LISTENER_PORT ?? 0);
const id = args.id ?? process.env.FAME_NODE_ID ?? `ref-sentinel-${process.pid}`;
const token = args.token ?? process.env.SENTINEL_TOKEN ?? '';
const profile = args.security ?? 'open';

const wsListener = { type: 'WebSocketListener', host, port };
if (token) wsListener.authorizer = { type: 'SharedSecretAuthorizer', secret: token };

const rootConfig = {
  plugins: ['@naylence/runtime'],
  node: {
    type: 'Sentinel',
    id,
    requested_logicals: ['fame.fabric'],
    // HttpListener and WebSocketListener with the same host/port share one HTTP server.
    listeners: [wsListener, { type: 'HttpListener', host, port }],
    security: { type: 'SecurityProfile', profile },
    admission: { type: 'AdmissionProfile', profile: 'none' },
    storage: { type: 'StorageProfile', profile: 'memory' },
    delivery: { type: 'DeliveryProfile', profile: process.env.FAME_DELIVERY_PROFILE || 'at-most-once' },
  },
};

const fabric = await rt.FameFabric.create({ rootConfig });
await fabric.enter(); // starts node + listeners and pushes the fabric on the context stack

const ports = listenerPorts(fabric.node);
const actual = Object.values(ports)[0] ?? port;
emit({
  event: 'READY',
  pkgs: PKGS,
  runtimeVersion: rt.VERSION,
  role: 'sentinel',
  id: fabric.node.id,
  physicalPath: fabric.node.physicalPath,
  host,
  port: actual,
  listenerPorts: ports,
  auth: token ? 'shared-secret' : 'none',
  profile,
  attachUrl: `ws://${host}:${actual}/fame/v1/attach/ws/downstream`,
  pid: process.pid,
});
process.stdout.write(`READY ${actual}\n`);

onSignals(async (sig) => {
  emit({ event: 'stopping', signal: sig });
  await fabric.exit();
  emit({ event: 'stopped' });
});
// The listeners keep the event loop alive; nothing else to do.
