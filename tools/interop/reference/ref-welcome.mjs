// Reference welcome server (admission-and-http §8.5): the runtime's own node-welcome-server app
// (`createApp` of dist/esm/naylence/fame/welcome/node-welcome-server.js, which has no bin) on
// 127.0.0.1 and an ephemeral port.
// Usage: FAME_CONFIG='<yaml or json with plugins: ["@naylence/runtime"] and a welcome: section>' node ref-welcome.mjs
// Env: FAME_APP_HOST (default 127.0.0.1 here), FAME_APP_PORT (default 0 here), FAME_JWKS_KEY_TYPES,
//      and whatever its authorizer reads (FAME_JWT_*).
// Prints READY <port>, and a JSON line {event:"READY", url, helloUrl, jwksUrl}.
import { fileURLToPath } from 'node:url';
import { emit, onSignals, PKGS } from './_common.mjs';

const serverModule = new URL('../node_modules/ref-runtime/dist/esm/naylence/fame/welcome/node-welcome-server.js', import.meta.url);
const { createApp } = await import(fileURLToPath(serverModule));

const host = process.env.FAME_APP_HOST ?? '127.0.0.1';
const port = Number(process.env.FAME_APP_PORT ?? 0);
const app = await createApp();
await app.listen({ host, port });
const actual = app.server.address().port;
const url = `http://${host}:${actual}`;
emit({
  event: 'READY',
  pkgs: PKGS,
  role: 'welcome',
  url,
  helloUrl: `${url}/fame/v1/welcome/hello`,
  jwksUrl: `${url}/fame/welcome/.well-known/jwks.json`,
  pid: process.pid,
});
process.stdout.write(`READY ${actual}\n`);

onSignals(async (sig) => {
  emit({ event: 'stopping', signal: sig });
  await app.close();
  emit({ event: 'stopped' });
});
