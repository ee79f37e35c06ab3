/**
 * `FAME_SIGNING_KEY`: a persistent Ed25519 signing key for the node, as PKCS#8 PEM text or the
 * path of a PEM file. Without it a node signs with a fresh key per process, which is what the
 * `overlay` profile expects; a profile whose certificate chain certifies one key
 * (`FAME_NODE_CERT_CHAIN` of an X.509 add-on) needs that key here.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type Environment } from '@naylence/core';
import { NodeKeys } from '@naylence/security';

export const ENV_SIGNING_KEY = 'FAME_SIGNING_KEY';

function pemText(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new ConfigError(`${ENV_SIGNING_KEY} is neither PEM text nor a readable file (${(error as Error).message})`, {
      setting: ENV_SIGNING_KEY,
      cause: error,
    });
  }
}

/**
 * The node's keys with the signing key `FAME_SIGNING_KEY` names (a fresh encryption key and fresh
 * kids), or `undefined` when it is unset or empty.
 * @throws ConfigError naming FAME_SIGNING_KEY when the file cannot be read or holds no Ed25519 private key
 */
export function nodeKeysFromEnv(env: Environment): NodeKeys | undefined {
  const value = env[ENV_SIGNING_KEY]?.trim();
  if (value === undefined || value === '') return undefined;
  const pem = pemText(value);
  try {
    return new NodeKeys({ signingKey: pem });
  } catch (error) {
    throw new ConfigError(`${ENV_SIGNING_KEY} holds no Ed25519 private key in PKCS#8 PEM (${(error as Error).message})`, {
      setting: ENV_SIGNING_KEY,
      cause: error,
    });
  }
}
