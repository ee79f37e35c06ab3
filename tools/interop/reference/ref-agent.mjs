// Reference agent: attaches to a sentinel and serves math@fame.fabric
//   add({x,y}) -> x+y          (unary)
//   fib({n})   -> stream of the first n Fibonacci numbers (0,1,1,2,...)
//   whoami()   -> this node's id (handy to see pool spreading)
//   sleep({ms}) -> resolves after ms (timeout probes); fail() -> throws
// Usage: node ref-agent.mjs --url=ws://127.0.0.1:PORT/fame/v1/attach/ws/downstream
//          [--port=PORT] [--id=ID] [--service=math@fame.fabric] [--capability=math.v1]
//          [--pool] [--token=TOKEN] [--sdk] [--http[=PORT]]
// Env fallbacks: FAME_DIRECT_ADMISSION_URL, SENTINEL_PORT, FAME_NODE_ID, AGENT_CAPABILITY,
//                AGENT_POOL=1, AGENT_TOKEN, AGENT_SDK=1.
// --pool   : requested logical '*.fame.fabric' (pool member) instead of 'fame.fabric'.
// --sdk    : serve an agent-sdk BaseAgent subclass (adds tasks/* and fame.capability.agent)
//            instead of a plain runtime RPC service object.
// --http   : attach over HTTP: the node gets its own HttpListener on 127.0.0.1:PORT (0 =
//            ephemeral) for the parent's callbacks, and its admission comes from the profile
//            in FAME_ADMISSION_PROFILE (e.g. direct-http, with FAME_DIRECT_ADMISSION_URL,
//            FAME_ADMISSION_TOKEN_URL/_CLIENT_ID/_CLIENT_SECRET and optionally FAME_PUBLIC_URL),
//            as the reference's agent-sdk NODE_CONFIG and its http-connector example do; the
//            security profile comes from FAME_SECURITY_PROFILE (default open).
// --sdk-config : use the agent SDK's NODE_CONFIG as is (everything from the environment:
//            FAME_SECURITY_PROFILE, FAME_ADMISSION_PROFILE, FAME_DIRECT_ADMISSION_URL, the
//            FAME_ADMISSION_* OAuth2 variables, FAME_JWT_AUDIENCE), as the official examples do.
import {
  rt,
  PKGS,
  loadSdk,
  emit,
  parseArgs,
  describeError,
  watchAttach,
  onSignals,
  baseNodeSection,
  defaultUrl,
  listenerPorts,
} from './_common.mjs';

const args = parseArgs();
const url = args.url ?? process.env.FAME_DIRECT_ADMISSION_URL ?? defaultUrl(args.port ?? process.env.SENTINEL_PORT ?? 8000);
const id = args.id ?? process.env.FAME_NODE_ID ?? `ref-agent-${process.pid}`;
const serviceName = args.service ?? process.env.AGENT_SERVICE ?? 'math@fame.fabric';
const capability = args.capability ?? process.env.AGENT_CAPABILITY ?? '';
const pool = Boolean(args.pool ?? process.env.AGENT_POOL === '1');
const token = args.token ?? process.env.AGENT_TOKEN ?? '';
const useSdk = Boolean(args.sdk ?? process.env.AGENT_SDK === '1');
const httpPort = args.http === undefined ? undefined : args.http === true ? 0 : Number(args.http);
const sdkConfig = Boolean(args['sdk-config'] ?? process.env.AGENT_SDK_CONFIG === '1');

// ---- the service logic -------------------------------------------------------------
function add({ x, y } = {}) {
  return x + y;
}
async function* fib({ n } = {}) {
  let a = 0,
    b = 1;
  for (let i = 0; i < n; i++) {
    yield a;
    [a, b] = [b, a + b];
  }
}
// Params arrive as the JSON-RPC params object (or {args:[...], kwargs:{...}}).
function kw(params) {
  if (params && (Array.isArray(params.args) || params.kwargs)) {
    return { ...(params.args?.[0] ?? {}), ...(params.kwargs ?? {}) };
  }
  return params ?? {};
}

let service;
if (!useSdk) {
  // A plain FameRPCService: any object with handleRpcRequest(method, params).
  // Returning an async iterable makes the runtime stream the items.
  service = {
    capabilities: capability ? [capability] : undefined,
    async handleRpcRequest(method, params) {
      const p = kw(params);
      switch (method) {
        case 'add':
          return add(p);
        case 'fib':
          return fib(p);
        case 'whoami':
          return id;
        case 'sleep':
          await new Promise((r) => setTimeout(r, p.ms ?? 1000));
          return p.ms ?? 1000;
        case 'fail':
          throw new Error('deliberate failure');
        default:
          throw new Error(`Method not found: ${method}`);
      }
    },
  };
} else {
  const { BaseAgent } = await loadSdk();
  const { operation } = rt;
  class MathAgent extends BaseAgent {
    get capabilities() {
      return [...(super.capabilities ?? []), ...(capability ? [capability] : [])];
    }
    async add(p) {
      return add(kw(p));
    }
    async *fib(p) {
      yield* fib(kw(p));
    }
    async whoami() {
      return id;
    }
    async fail() {
      throw new Error('deliberate failure');
    }
    async sleep(p) {
      const ms = kw(p).ms ?? 1000;
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    }
    async runTask(payload) {
      return payload;
    }
  }
  // No decorator syntax in plain Node: apply the runtime's `operation` decorator by hand.
  for (const [name, opts] of [
    ['add', {}],
    ['fib', { streaming: true }],
    ['whoami', {}],
    ['fail', {}],
    ['sleep', {}],
  ]) {
    operation(opts)(MathAgent.prototype, name, Object.getOwnPropertyDescriptor(MathAgent.prototype, name));
  }
  service = new MathAgent('math');
}

let rootConfig = {
  plugins: ['@naylence/runtime'],
  node: baseNodeSection({ id, url, token, logicals: [pool ? '*.fame.fabric' : 'fame.fabric'] }),
};
if (sdkConfig) {
  // The agent SDK's own NODE_CONFIG, driven by the reference's environment only
  // (FAME_SECURITY_PROFILE, FAME_ADMISSION_PROFILE, FAME_DIRECT_ADMISSION_URL, FAME_ADMISSION_TOKEN_URL, …).
  const { NODE_CONFIG } = await loadSdk();
  rootConfig = structuredClone(NODE_CONFIG);
  rootConfig.node.id = id;
  if (pool) rootConfig.node.requested_logicals = ['*.fame.fabric'];
}
if (httpPort !== undefined) {
  rootConfig.node.listeners = [{ type: 'HttpListener', host: '127.0.0.1', port: httpPort }];
  rootConfig.node.admission = { type: 'AdmissionProfile', profile: '${env:FAME_ADMISSION_PROFILE:direct-http}' };
  rootConfig.node.security = { type: 'SecurityProfile', profile: '${env:FAME_SECURITY_PROFILE:open}' };
  // An empty public_url would leave the callback grant out: only set it when given.
  if (process.env.FAME_PUBLIC_URL) rootConfig.node.public_url = '${env:FAME_PUBLIC_URL}';
}
// --admission: the admission profile named by FAME_ADMISSION_PROFILE (e.g. `welcome`, with
// FAME_ADMISSION_SERVICE_URL and the FAME_ADMISSION_* OAuth2 variables the profile needs).
if (args.admission) rootConfig.node.admission = { type: 'AdmissionProfile', profile: '${env:FAME_ADMISSION_PROFILE}' };

let fabric;
try {
  fabric = await rt.FameFabric.create({ rootConfig });
  await fabric.enter(); // admission + WebSocket attach happen here
  watchAttach(fabric.node, 'agent');
  const address = await fabric.serve(service, serviceName);
  emit({
    event: 'READY',
    pkgs: PKGS,
    runtimeVersion: rt.VERSION,
    role: 'agent',
    id: fabric.node.id,
    physicalPath: fabric.node.physicalPath,
    address: String(address),
    capabilities: service.capabilities ?? null,
    pool,
    sdk: useSdk,
    url,
    listenerPorts: listenerPorts(fabric.node),
    pid: process.pid,
  });
  process.stdout.write('READY\n');
} catch (err) {
  emit({ event: 'attach_failed', error: describeError(err) });
  process.exit(2);
}

onSignals(async (sig) => {
  emit({ event: 'stopping', signal: sig });
  await fabric.exit();
  emit({ event: 'stopped' });
});
