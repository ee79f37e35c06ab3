// Reference client: attaches to a sentinel and runs probes, one JSON line per result.
// Usage: node ref-client.mjs --url=ws://127.0.0.1:PORT/fame/v1/attach/ws/downstream
//          [--port=PORT] [--id=ID] [--token=TOKEN] [--tests=add,fib,cap,unknown,badmethod,pool]
//          [--service=math@fame.fabric] [--capability=math.v1] [--n=10] [--timeout=MS]
//          [--calls=N] (pool test)  [--loop=SECONDS] (call add every 200 ms for SECONDS)
// Env fallbacks: FAME_DIRECT_ADMISSION_URL, SENTINEL_PORT, FAME_NODE_ID, CLIENT_TOKEN, CLIENT_TESTS.
// Test "badtoken": attaches with --token and reports the attach error (use against a
// sentinel started with --token=<other>).
// --admission: the node section admits with FAME_ADMISSION_PROFILE (e.g. `welcome`).
// --sdk-config: use the agent SDK's CLIENT_CONFIG as is (security and admission from the
// environment: FAME_SECURITY_PROFILE, FAME_ADMISSION_PROFILE, FAME_DIRECT_ADMISSION_URL, …).
import { rt, PKGS, loadSdk, emit, parseArgs, describeError, watchAttach, baseNodeSection, defaultUrl } from './_common.mjs';

const args = parseArgs();
const url = args.url ?? process.env.FAME_DIRECT_ADMISSION_URL ?? defaultUrl(args.port ?? process.env.SENTINEL_PORT ?? 8000);
const id = args.id ?? process.env.FAME_NODE_ID ?? `ref-client-${process.pid}`;
const token = args.token ?? process.env.CLIENT_TOKEN ?? '';
const tests = String(args.tests ?? process.env.CLIENT_TESTS ?? 'add,fib,cap,unknown,badmethod').split(',');
const service = args.service ?? 'math@fame.fabric';
const capability = args.capability ?? 'math.v1';
const n = Number(args.n ?? 10);
const timeoutMs = args.timeout ? Number(args.timeout) : undefined;

let rootConfig = {
  plugins: ['@naylence/runtime'],
  // No requested_logicals: a pure client (accepted logicals become ["*"]).
  node: baseNodeSection({ id, url, token }),
};
// --admission: the admission profile named by FAME_ADMISSION_PROFILE (e.g. `welcome`).
if (args.admission) rootConfig.node.admission = { type: 'AdmissionProfile', profile: '${env:FAME_ADMISSION_PROFILE}' };
if (args['sdk-config'] ?? process.env.CLIENT_SDK_CONFIG === '1') {
  // The agent SDK's own CLIENT_CONFIG, driven by the reference's environment only, as the official examples do.
  const { CLIENT_CONFIG } = await loadSdk();
  rootConfig = structuredClone(CLIENT_CONFIG);
  rootConfig.node.id = id;
}

const t0 = performance.now();
let fabric;
try {
  fabric = await rt.FameFabric.create({ rootConfig });
  await fabric.enter();
} catch (err) {
  emit({ test: 'attach', ok: false, ms: +(performance.now() - t0).toFixed(1), error: describeError(err) });
  await fabric?.exit?.().catch(() => {});
  process.exit(tests.includes('badtoken') ? 0 : 2);
}
emit({
  test: 'attach',
  ok: true,
  pkgs: PKGS,
  runtimeVersion: rt.VERSION,
  ms: +(performance.now() - t0).toFixed(1),
  id: fabric.node.id,
  physicalPath: fabric.node.physicalPath,
});
watchAttach(fabric.node, 'client');
process.stdout.write('READY\n');

const addr = new rt.FameAddress(service);

async function probe(name, fn) {
  const s = performance.now();
  try {
    const result = await fn();
    emit({ test: name, ok: true, ms: +(performance.now() - s).toFixed(1), result });
  } catch (err) {
    emit({ test: name, ok: false, ms: +(performance.now() - s).toFixed(1), error: describeError(err) });
  }
}

for (const t of tests) {
  switch (t) {
    case 'add':
      await probe('add', () => fabric.invoke(addr, 'add', { x: 3, y: 4 }, timeoutMs));
      break;
    case 'fib':
      await probe('fib', async () => {
        const items = [];
        for await (const item of await fabric.invokeStream(addr, 'fib', { n }, timeoutMs)) items.push(item);
        return items;
      });
      break;
    case 'cap':
      await probe('cap_add', () => fabric.invokeByCapability([capability], 'add', { x: 10, y: 5 }, timeoutMs));
      await probe('cap_fib', async () => {
        const items = [];
        for await (const item of await fabric.invokeByCapabilityStream([capability], 'fib', { n: 5 }, timeoutMs)) items.push(item);
        return items;
      });
      break;
    case 'unknown':
      await probe('unknown_address', () => fabric.invoke(new rt.FameAddress('nobody@fame.fabric'), 'add', { x: 1, y: 2 }, timeoutMs));
      await probe('unknown_address_stream', async () => {
        const items = [];
        for await (const item of await fabric.invokeStream(new rt.FameAddress('nobody@fame.fabric'), 'fib', { n: 3 }, timeoutMs))
          items.push(item);
        return items;
      });
      await probe('unknown_capability', () => fabric.invokeByCapability(['no.such.capability'], 'add', { x: 1, y: 2 }, timeoutMs));
      break;
    case 'badmethod':
      await probe('unknown_method', () => fabric.invoke(addr, 'nosuch', {}, timeoutMs));
      await probe('handler_throws', () => fabric.invoke(addr, 'fail', {}, timeoutMs));
      break;
    case 'pool': {
      const calls = Number(args.calls ?? 20);
      const seen = {};
      for (let i = 0; i < calls; i++) {
        try {
          const who = await fabric.invoke(addr, 'whoami', {}, timeoutMs);
          seen[who] = (seen[who] ?? 0) + 1;
        } catch (err) {
          const k = `error:${err?.constructor?.name}:${err?.message}`;
          seen[k] = (seen[k] ?? 0) + 1;
        }
      }
      emit({ test: 'pool_spread', calls, seen });
      break;
    }
    case 'loop': {
      // Used for reconnect timing: call add every 200 ms, print each state change.
      const until = Date.now() + Number(args.loop ?? 60) * 1000;
      let last = null;
      while (Date.now() < until) {
        const s = performance.now();
        let state;
        try {
          await fabric.invoke(addr, 'add', { x: 1, y: 1 }, Number(args.timeout ?? 1000));
          state = 'ok';
        } catch (err) {
          state = `error:${err?.constructor?.name}:${String(err?.message).replace(/response \S+/, 'response <id>')}`;
        }
        if (state !== last) {
          emit({ test: 'loop', state, ms: +(performance.now() - s).toFixed(1), wall: Date.now() });
          last = state;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      break;
    }
    case 'timeout':
      // Default invoke timeout: call sleep(40 s) without a timeout argument.
      await probe('default_timeout', () => fabric.invoke(addr, 'sleep', { ms: 40000 }));
      break;
    case 'badtoken':
      break; // handled by the attach step above
    default:
      emit({ test: t, ok: false, error: 'unknown test name' });
  }
}

await fabric.exit();
emit({ event: 'done' });
