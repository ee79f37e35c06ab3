// Small shared helpers for the reference-probe scripts (written for refprobe).
//
// Package names: REF_RUNTIME_PKG / REF_SDK_PKG override. By default the runtime is imported as
// the alias 'ref-runtime' and the SDK as 'ref-agent-sdk' (this pnpm workspace: the alias and the
// SDK's own runtime dependency are the same store directory, so there is ONE runtime module
// instance per process). '@naylence/runtime' / '@naylence/agent-sdk' are only fallbacks for
// other layouts: inside this workspace '@naylence/*' names belong to our own packages.
// One instance matters: module-level registries (e.g. the `operation` decorator's RPC
// registry, listener singletons, logger config) are per copy.

async function firstImport(names) {
  let lastErr;
  for (const n of names) {
    try {
      return { name: n, mod: await import(n) };
    } catch (e) {
      if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
      lastErr = e;
    }
  }
  throw lastErr;
}

// The runtime logs with console.log (i.e. to STDOUT). Keep stdout machine-readable by sending
// console.log to stderr; our JSON lines are written with process.stdout.write.
if (process.env.REF_LOGS_STDOUT !== '1') {
  console.log = (...a) => console.error(...a);
}

const rtPick = await firstImport(process.env.REF_RUNTIME_PKG ? [process.env.REF_RUNTIME_PKG] : ['ref-runtime', '@naylence/runtime']);
export const rt = rtPick.mod;
export const PKGS = { runtime: rtPick.name, sdk: null };
/** The agent SDK is loaded only on demand: importing it appends '@naylence/agent-sdk' to
 *  process.env.FAME_PLUGINS (a side effect of its Node entry). */
export async function loadSdk() {
  const before = process.env.FAME_PLUGINS;
  const { name: SDK_PKG, mod } = await firstImport(
    process.env.REF_SDK_PKG ? [process.env.REF_SDK_PKG] : ['ref-agent-sdk', '@naylence/agent-sdk'],
  );
  PKGS.sdk = SDK_PKG;
  // Under an alias the real name '@naylence/agent-sdk' is not resolvable, and the plugin
  // bootstrap would print "[plugins] bootstrap error: Cannot find package '@naylence/agent-sdk'".
  // The SDK already registered itself on import, so undo the env side effect.
  if (SDK_PKG !== '@naylence/agent-sdk' && process.env.REF_KEEP_SDK_PLUGIN_ENV !== '1') {
    if (before === undefined) delete process.env.FAME_PLUGINS;
    else process.env.FAME_PLUGINS = before;
  }
  return mod;
}

const T0 = Date.now();

/** Print one JSON line on stdout. */
export function emit(obj) {
  process.stdout.write(JSON.stringify({ t_ms: Date.now() - T0, ...obj }) + '\n');
}

/** Parse `--key=value` / `--flag` argv into an object. */
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out[m[1]] = m[2] === undefined ? true : m[2];
  }
  return out;
}

/** Describe an error object as plain JSON (class name, message, extra own fields). */
export function describeError(err) {
  if (!err || typeof err !== 'object') return { value: String(err) };
  const d = { class: err.constructor?.name, name: err.name, message: err.message };
  for (const k of Object.getOwnPropertyNames(err)) {
    if (k === 'stack' || k === 'message') continue;
    try {
      const v = err[k];
      d[k] = typeof v === 'object' ? JSON.parse(JSON.stringify(v ?? null)) : v;
    } catch {
      d[k] = String(err[k]);
    }
  }
  for (const k of ['code', 'reason', 'data', 'status', 'closeCode']) {
    if (d[k] === undefined && err[k] !== undefined) d[k] = err[k];
  }
  if (err.cause) d.cause = describeError(err.cause);
  return d;
}

/** Find the port actually bound by the node's HTTP/WebSocket listener(s). */
export function listenerPorts(node) {
  const ports = {};
  for (const l of node?.eventListeners ?? []) {
    const srv = l?.httpServer;
    if (srv && typeof srv.actualPort === 'number') ports[l.constructor?.name ?? 'listener'] = srv.actualPort;
  }
  return ports;
}

/** Run fn on SIGINT/SIGTERM once, then exit. */
export function onSignals(fn) {
  let done = false;
  const h = async (sig) => {
    if (done) return;
    done = true;
    try {
      await fn(sig);
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
}

/**
 * Minimal open-profile node section shared by the agent and client configs. With
 * FAME_ADMISSION_TOKEN_URL (+ _CLIENT_ID, _CLIENT_SECRET, FAME_JWT_AUDIENCE) in the environment the
 * node fetches OAuth2 client-credentials tokens for its attach, as the `direct` admission profile.
 */
export function baseNodeSection({ id, url, token, logicals }) {
  const node = {
    type: 'Node',
    security: { type: 'SecurityProfile', profile: 'open' },
    identity_policy: { type: 'NodeIdentityPolicyProfile', profile: 'default' },
    storage: { type: 'StorageProfile', profile: 'memory' },
    delivery: { type: 'DeliveryProfile', profile: process.env.FAME_DELIVERY_PROFILE || 'at-most-once' },
  };
  if (id) node.id = id;
  if (logicals) node.requested_logicals = logicals;
  // With FAME_ADMISSION_TOKEN_URL, as the reference's `direct` admission profile: OAuth2 client
  // credentials presented as WebSocket subprotocols, a fresh token fetched by the reference's provider.
  const tokenProvider = process.env.FAME_ADMISSION_TOKEN_URL
    ? {
        type: 'OAuth2ClientCredentialsTokenProvider',
        token_url: process.env.FAME_ADMISSION_TOKEN_URL,
        client_id: process.env.FAME_ADMISSION_CLIENT_ID,
        client_secret: process.env.FAME_ADMISSION_CLIENT_SECRET,
        scopes: ['node.connect'],
        audience: process.env.FAME_JWT_AUDIENCE,
      }
    : token !== undefined && token !== null && token !== ''
      ? { type: 'StaticTokenProvider', token }
      : undefined;
  node.admission = {
    type: 'DirectAdmissionClient',
    connection_grants: [
      {
        type: 'WebSocketConnectionGrant',
        purpose: 'node.attach',
        url,
        auth: tokenProvider ? { type: 'WebSocketSubprotocolAuth', token_provider: tokenProvider } : { type: 'NoAuth' },
        ttl: 0,
        durable: false,
      },
    ],
  };
  return node;
}

export function defaultUrl(port) {
  return `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`;
}

/** Emit a JSON line on every (re-)attach to the upstream sentinel (node event listener hook). */
export function watchAttach(node, role) {
  node.addEventListener({
    priority: 5000,
    async onNodeAttachToUpstream(n, info) {
      emit({
        event: 'attached',
        role,
        id: n.id,
        physicalPath: n.physicalPath,
        routingEpoch: info?.routingEpoch ?? info?.routing_epoch ?? null,
        wall: Date.now(),
      });
    },
  });
}
