// The reference's development OAuth2 server (createOAuth2ServerApp: /oauth/token, JWKS, OpenID
// configuration, /health) on 127.0.0.1.
// Usage: node ref-oauth2-server.mjs [--port=N] [--host=H] [--issuer=self]
// --issuer=self: FAME_JWT_ISSUER becomes the server's own URL (http://H:port), bound first.
// Env (as the reference server reads it): FAME_JWT_CLIENT_ID, FAME_JWT_CLIENT_SECRET (required),
// FAME_JWT_ISSUER, FAME_JWT_AUDIENCE, FAME_JWT_ALGORITHM, FAME_JWT_ALLOWED_SCOPES.
// Prints {"event":"READY", url, port} and "READY <port>".
import { rt, emit, parseArgs, onSignals } from './_common.mjs';

const args = parseArgs();
const host = args.host ?? '127.0.0.1';
const port = Number(args.port ?? 0);
if (!process.env.FAME_JWT_CLIENT_ID || !process.env.FAME_JWT_CLIENT_SECRET) {
  emit({ event: 'error', error: 'FAME_JWT_CLIENT_ID and FAME_JWT_CLIENT_SECRET must be set' });
  process.exit(2);
}
let app;
let actual;
let closeServer = async () => {};
if (args.issuer === 'self') {
  // The issuer is this server's own URL (so verifiers find the keys at <issuer>/.well-known/jwks.json),
  // which is known only once the port is bound: bind a plain HTTP server first, keep it, then
  // route its requests into the reference's app (which reads FAME_JWT_ISSUER when it is created).
  const { createServer } = await import('node:http');
  const server = createServer();
  await new Promise((resolve) => server.listen(port, host, resolve));
  actual = server.address().port;
  process.env.FAME_JWT_ISSUER = `http://${host}:${actual}`;
  app = await rt.createOAuth2ServerApp();
  await app.ready();
  server.on('request', (request, response) => app.routing(request, response));
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
} else {
  app = await rt.createOAuth2ServerApp();
  await app.listen({ host, port });
  actual = app.server.address().port;
}
emit({ event: 'READY', role: 'oauth2-server', url: `http://${host}:${actual}`, port: actual, pid: process.pid });
process.stdout.write(`READY ${actual}\n`);

onSignals(async () => {
  await app.close();
  await closeServer();
});
