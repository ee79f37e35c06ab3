// The reference's development OAuth2 server (createOAuth2ServerApp: /oauth/token, JWKS, OpenID
// configuration, /health) on 127.0.0.1.
// Usage: node ref-oauth2-server.mjs [--port=N] [--host=H]
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
const app = await rt.createOAuth2ServerApp();
await app.listen({ host, port });
const actual = app.server.address().port;
emit({ event: 'READY', role: 'oauth2-server', url: `http://${host}:${actual}`, port: actual, pid: process.pid });
process.stdout.write(`READY ${actual}\n`);

onSignals(async () => {
  await app.close();
});
