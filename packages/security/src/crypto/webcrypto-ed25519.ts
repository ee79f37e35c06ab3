/**
 * Ed25519 through WebCrypto (`crypto.subtle`, algorithm `Ed25519`): the platform's native
 * implementation (BoringSSL in Chromium, OpenSSL in Node), asynchronous. In a browser it signs
 * and verifies several times faster than pure JavaScript, so the browser platform uses it where
 * it exists and `@noble/curves` where it does not (older browsers, non-secure contexts, which
 * have no `crypto.subtle`). Keys enter as RFC 8410 PKCS#8 / raw public keys (encoding only).
 */
import { InvalidKeyError } from '../errors.js';
import { hexDecode, hexEncode } from './encoding.js';
import { pkcs8Der } from './der.js';
import type { AsyncEd25519Operations, CryptoProvider } from './provider.js';

const ED25519 = { name: 'Ed25519' } as const;

/** WebCrypto's parameter type (our bytes never live in a SharedArrayBuffer). */
const source = (bytes: Uint8Array): BufferSource => bytes as Uint8Array<ArrayBuffer>;

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== 32) throw new InvalidKeyError(`Ed25519 ${what} key must be 32 bytes, got ${key.length}`);
}

/** Ed25519 operations over `subtle`. Use {@link detectWebCryptoEd25519} to learn whether the platform has them. */
export function webCryptoEd25519(subtle: SubtleCrypto): AsyncEd25519Operations {
  return {
    name: 'webcrypto',
    signer(privateKey) {
      checkKey(privateKey, 'private');
      const der = pkcs8Der('Ed25519', privateKey);
      let key: Promise<CryptoKey> | undefined;
      return async (message) => {
        key ??= subtle.importKey('pkcs8', source(der), ED25519, false, ['sign']);
        return new Uint8Array(await subtle.sign(ED25519, await key, source(message)));
      };
    },
    verifier(publicKey) {
      checkKey(publicKey, 'public');
      const raw = publicKey.slice();
      let key: Promise<CryptoKey> | undefined;
      return async (message, signature) => {
        try {
          key ??= subtle.importKey('raw', source(raw), ED25519, false, ['verify']);
          return signature.length === 64 && (await subtle.verify(ED25519, await key, source(signature), source(message)));
        } catch {
          return false;
        }
      };
    },
  };
}

// RFC 8032 §7.1, test 1 (empty message).
const PROBE_SEED = hexDecode('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')!;
const PROBE_PUBLIC = hexDecode('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')!;
const PROBE_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

let detected: Promise<AsyncEd25519Operations | undefined> | undefined;

/**
 * WebCrypto Ed25519 when this platform has it (a secure context with `crypto.subtle` that
 * implements `Ed25519`) and it reproduces the RFC 8032 test vector and rejects a forged
 * signature; undefined otherwise. Probed once per realm.
 */
export function detectWebCryptoEd25519(): Promise<AsyncEd25519Operations | undefined> {
  return (detected ??= probe());
}

async function probe(): Promise<AsyncEd25519Operations | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) return undefined;
  try {
    const ops = webCryptoEd25519(subtle);
    const empty = new Uint8Array(0);
    const signature = await ops.signer(PROBE_SEED)(empty);
    if (hexEncode(signature) !== PROBE_SIGNATURE) return undefined;
    const verify = ops.verifier(PROBE_PUBLIC);
    const forged = signature.slice();
    forged[0]! ^= 1;
    return (await verify(empty, signature)) && !(await verify(empty, forged)) ? ops : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `provider` with WebCrypto Ed25519 as its asynchronous signer and verifier (`ed25519Async`),
 * named `<name>+webcrypto`, where the platform has it; otherwise `provider` itself.
 */
export async function withWebCryptoEd25519(provider: CryptoProvider): Promise<CryptoProvider> {
  if (provider.ed25519Async !== undefined) return provider;
  const ops = await detectWebCryptoEd25519();
  return ops === undefined ? provider : { ...provider, name: `${provider.name}+webcrypto`, ed25519Async: ops };
}
