// Raw WebSocket probe (no reference code): opens the attach socket with a bearer token in the
// subprotocol list and reports what the sentinel sends back (frame kind, payload, close code).
// Usage: node raw-ws-auth-probe.mjs --port=PORT [--token=T] [--id=raw1] [--mode=subprotocol|header|none]
//        [--attach]  (send a NodeAttach after open and report the reply)
import { WebSocket } from 'ws';
import { randomBytes } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    return m ? [m[1], m[2] ?? true] : [a, true];
  }),
);
const port = Number(args.port ?? process.env.SENTINEL_PORT ?? 8000);
const id = args.id ?? `raw-${process.pid}`;
const token = args.token ?? '';
const mode = args.mode ?? (token ? 'subprotocol' : 'none');
const url = `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream/${id}`;
const rid = () => randomBytes(12).toString('base64url').slice(0, 16);
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const protocols = mode === 'subprotocol' ? ['bearer', token] : undefined;
const headers = mode === 'header' ? { Authorization: `Bearer ${token}` } : {};
const t0 = performance.now();
const ws = new WebSocket(url, protocols, { headers });

ws.on('upgrade', (res) => emit({ event: 'upgrade', status: res.statusCode, protocol: res.headers['sec-websocket-protocol'] ?? null }));
ws.on('unexpected-response', (_req, res) => {
  emit({ event: 'unexpected_response', status: res.statusCode });
});
ws.on('open', () => {
  emit({ event: 'open', ms: +(performance.now() - t0).toFixed(1), protocol: ws.protocol });
  if (args.attach) {
    const env = {
      version: '1.0',
      id: rid(),
      traceId: rid(),
      corrId: rid(),
      flowId: rid(),
      seqId: 0,
      flowFlags: 1,
      frame: { type: 'NodeAttach', originType: 'downstream', systemId: id, instanceId: rid(), acceptedLogicals: ['*'] },
      ts: new Date().toISOString(),
    };
    ws.send(Buffer.from(JSON.stringify(env)), { binary: true });
  }
});
ws.on('message', (data, isBinary) => {
  const text = data.toString('utf8');
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not json */
  }
  emit({ event: 'message', kind: isBinary ? 'binary' : 'text', ms: +(performance.now() - t0).toFixed(1), envelope: parsed ?? text });
  if (args.attach && parsed?.frame?.type === 'NodeAttachAck') ws.close(1000, 'done');
});
ws.on('close', (code, reason) => {
  emit({ event: 'close', code, reason: reason.toString(), ms: +(performance.now() - t0).toFixed(1) });
  process.exit(0);
});
ws.on('error', (err) => emit({ event: 'error', message: err.message }));
setTimeout(() => {
  emit({ event: 'timeout' });
  process.exit(1);
}, 8000).unref();
