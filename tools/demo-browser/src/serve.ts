#!/usr/bin/env node
/**
 * `pnpm demo:browser [--host H] [--port N]`: starts the browser demo (our sentinel, the Node math
 * agent, the OAuth2 server with PKCE and a developer login, and the pages) on one port and
 * prints where to open it and how to sign in. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startDemo } from './server/demo-server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    user: { type: 'string', default: 'demo' },
    password: { type: 'string' },
  },
});

const demo = await startDemo({
  host: values.host,
  port: Number(values.port),
  ...(values.password !== undefined && { login: { username: values.user, password: values.password } }),
});
console.log(`Naylence browser demo
  open      ${demo.url}
  sign in   user ${demo.login.username}, password ${demo.login.password} (the developer login of the PKCE sign-in)
  sentinel  ${demo.config.wsUrl}
Ctrl-C stops it.`);

const stop = () => {
  void demo.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
