/**
 * Test certificates made with the `openssl` command line (Debian's `openssl` package), in a
 * temporary directory: a root CA whose name constraints permit `spiffe://naylence.test/`, an
 * intermediate CA under it, leaves for node keys, and a rogue root nobody trusts.
 *
 * Why openssl and not a DER writer of our own: `node:crypto` can verify certificates but not
 * create them, and certificates made by an independent, standard tool test our validation
 * against what real PKIs produce; a hand-written encoder would test our reader with our writer.
 * Every call is a plain `execFileSync` of well-known subcommands; the tests fail (not skip)
 * with a clear message when the command is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NodeKeys } from '@naylence/security';

export const TRUST_DOMAIN = 'naylence.test';

export interface LeafOptions {
  /** The node sid in the URI SAN `spiffe://<domain>/nodes/<sid>`. */
  readonly sid: string;
  /** The whole URI instead (e.g. outside the name constraints). */
  readonly uri?: string;
  /** `rogue`: issued by the untrusted root. */
  readonly issuer?: 'intermediate' | 'rogue';
}

export interface TestPki extends Disposable {
  /** The trusted root, PEM (what FAME_CA_CERTS holds). */
  readonly rootPem: string;
  /** A leaf for `keys`' signing key, followed by its issuer: the node's chain, PEM. */
  issueChain(keys: NodeKeys, options: LeafOptions): string;
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT')
      throw new Error('these tests create certificates with the openssl command line: install Debian\'s "openssl" package');
    throw new Error(`openssl ${args[0]} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}

const serial = () => `0x${randomBytes(12).toString('hex')}`;

export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'naylence-pki-'));
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const root = (name: string, cn: string) => {
    openssl(dir, ['genpkey', '-algorithm', 'ed25519', '-out', `${name}.key`]);
    openssl(dir, [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      '-set_serial',
      serial(),
      '-out',
      `${name}.pem`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      `nameConstraints=critical,permitted;URI:spiffe://${TRUST_DOMAIN}/`,
    ]);
  };
  const sign = (csr: string, issuer: string, extensions: string, out: string) => {
    writeFileSync(path.join(dir, `${out}.ext`), extensions);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      `${issuer}.pem`,
      '-CAkey',
      `${issuer}.key`,
      '-set_serial',
      serial(),
      '-days',
      '30',
      '-extfile',
      `${out}.ext`,
      '-out',
      `${out}.pem`,
    ]);
  };
  root('root', 'Naylence Test Root');
  root('rogue', 'Rogue Root');
  openssl(dir, ['genpkey', '-algorithm', 'ed25519', '-out', 'intermediate.key']);
  openssl(dir, ['req', '-new', '-key', 'intermediate.key', '-subj', '/CN=Naylence Test Intermediate', '-out', 'intermediate.csr']);
  sign('intermediate.csr', 'root', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n', 'intermediate');
  let leaves = 0;
  return {
    rootPem: read('root.pem'),
    issueChain(keys, options) {
      const name = `leaf${leaves++}`;
      writeFileSync(path.join(dir, `${name}.key`), keys.signingPrivatePem(), { mode: 0o600 });
      openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
      const uri = options.uri ?? `spiffe://${TRUST_DOMAIN}/nodes/${options.sid}`;
      const issuer = options.issuer === 'rogue' ? 'rogue' : 'intermediate';
      sign(
        `${name}.csr`,
        issuer,
        `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=URI:${uri}\n`,
        name,
      );
      return read(`${name}.pem`) + (issuer === 'rogue' ? '' : read('intermediate.pem'));
    },
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
