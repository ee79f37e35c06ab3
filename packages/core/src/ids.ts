/**
 * Identifiers (protocol-core §1.4, §2.6, §2.7): random ids, fingerprint ids and
 * `secureDigest`. All use the base62 alphabet `0-9a-zA-Z`, most significant digit first.
 */

export const BASE62_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Length of random and fingerprint ids. */
export const ID_LENGTH = 16;

// Ids end up in URLs, logs and paths people read; drop the rare candidate that spells one of
// these (case-insensitively). Peers never validate id contents, so the list is ours to choose.
const BLOCKED = /fuck|shit|cunt|dick|cock|piss|twat|slut|whore|nazi|nigg|rape|porn|anus|anal|fag|tit|sex|ass|cum|kkk/i;

export function hasBlockedSubstring(id: string): boolean {
  return BLOCKED.test(id);
}

// Random bytes are drawn from the platform CSPRNG in batches: one getRandomValues call per
// ~250 ids instead of one per id.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytes(count: number): Uint8Array {
  if (poolOffset + count > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const view = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return view;
}

// Char code for every byte value: `ALPHABET[byte % 62]`, as the reference draws them.
const CHAR_FOR_BYTE = Uint16Array.from({ length: 256 }, (_, b) => BASE62_ALPHABET.charCodeAt(b % 62));

function randomId16(): string {
  const bytes = randomBytes(16);
  const c = CHAR_FOR_BYTE;
  return String.fromCharCode(
    c[bytes[0]!]!,
    c[bytes[1]!]!,
    c[bytes[2]!]!,
    c[bytes[3]!]!,
    c[bytes[4]!]!,
    c[bytes[5]!]!,
    c[bytes[6]!]!,
    c[bytes[7]!]!,
    c[bytes[8]!]!,
    c[bytes[9]!]!,
    c[bytes[10]!]!,
    c[bytes[11]!]!,
    c[bytes[12]!]!,
    c[bytes[13]!]!,
    c[bytes[14]!]!,
    c[bytes[15]!]!,
  );
}

/** A random base62 id (16 characters by default) from the platform CSPRNG. */
export function randomId(length: number = ID_LENGTH): string {
  for (;;) {
    let id: string;
    if (length === ID_LENGTH) id = randomId16();
    else {
      const bytes = randomBytes(length);
      id = '';
      for (let i = 0; i < length; i++) id += String.fromCharCode(CHAR_FOR_BYTE[bytes[i]!]!);
    }
    if (!BLOCKED.test(id)) return id;
  }
}

/** Big-endian unsigned integer of `bytes`, written in base62 without padding (`"0"` for zero). */
export function base62FromBytes(bytes: Uint8Array): string {
  if (bytes.length === 16) return base62Of128(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (n === 0n) return '0';
  const codes: number[] = [];
  while (n > 0n) {
    codes.push(BASE62_ALPHABET.charCodeAt(Number(n % 62n)));
    n /= 62n;
  }
  return String.fromCharCode(...codes.reverse());
}

// Char codes of one 128-bit number in base62 (at most 22), filled from the end; reused.
const DIGITS_128 = new Uint16Array(22);

/**
 * 16 bytes in base62 with plain numbers: four 32-bit limbs divided by 62 in turn (a remainder
 * below 62 times 2^32 plus a limb stays far below 2^53), no BigInt, and one flat string (sids
 * are kept per neighbour; a string built by prepending characters is a chain of rope nodes).
 */
function base62Of128(bytes: Uint8Array): string {
  const limb = (i: number) => ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
  let a = limb(0);
  let b = limb(4);
  let c = limb(8);
  let d = limb(12);
  let start = DIGITS_128.length;
  while (a !== 0 || b !== 0 || c !== 0 || d !== 0) {
    let r = a % 62;
    a = Math.floor(a / 62);
    let v = r * 4294967296 + b;
    b = Math.floor(v / 62);
    r = v % 62;
    v = r * 4294967296 + c;
    c = Math.floor(v / 62);
    r = v % 62;
    v = r * 4294967296 + d;
    d = Math.floor(v / 62);
    DIGITS_128[--start] = BASE62_ALPHABET.charCodeAt(v % 62);
  }
  if (start === DIGITS_128.length) return '0';
  return String.fromCharCode.apply(null, DIGITS_128.subarray(start) as unknown as number[]);
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array | string): { digest(): Uint8Array } };
  /** One-shot digest (Node >= 20.12): no Hash object, a fraction of `createHash`'s cost. */
  hash?(algorithm: 'sha256', data: Uint8Array | string, outputEncoding: 'buffer'): Uint8Array;
}

// On Node (>= 20.16) the synchronous node:crypto hash is several times cheaper than WebCrypto's
// promise round trip; `getBuiltinModule` reaches it without a static Node import, so core still
// loads in browsers, where WebCrypto is used.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  'node:crypto',
) as NodeCrypto | undefined;

/** SHA-256 where the platform hashes synchronously (Node), else undefined. */
function sha256Sync(data: Uint8Array | string): Uint8Array<ArrayBuffer> | undefined {
  if (nodeCrypto === undefined) return undefined;
  const digest = nodeCrypto.hash ? nodeCrypto.hash('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest();
  return digest as Uint8Array<ArrayBuffer>;
}

async function sha256(data: Uint8Array | string): Promise<Uint8Array<ArrayBuffer>> {
  const digest = sha256Sync(data);
  if (digest !== undefined) return digest;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/**
 * `secureDigest(s)`: base62 of the first 16 bytes of SHA-256(UTF-8 s). A node's `sid` is the
 * secureDigest of its physical path.
 */
export async function secureDigest(text: string): Promise<string> {
  return base62FromBytes((await sha256(text)).subarray(0, 16));
}

/**
 * {@link secureDigest} computed synchronously where the platform hashes synchronously (Node);
 * undefined elsewhere (browsers: use `secureDigest`).
 */
export function secureDigestSync(text: string): string | undefined {
  const digest = sha256Sync(text);
  return digest === undefined ? undefined : base62FromBytes(digest.subarray(0, 16));
}

/**
 * Fingerprint id: SHA-256 of `material` read as one big-endian integer, in base62, cut to 16
 * characters (left-padded with `0`); a result spelling a word of the reference's blacklist is re-hashed.
 * Deterministic: the reference uses it for default system ids (see {@link referenceSystemIdMaterial}).
 */
export async function fingerprintId(material: string, length: number = ID_LENGTH): Promise<string> {
  let digest = await sha256(material);
  for (;;) {
    const id = fingerprintCandidate(digest, length);
    if (id !== undefined) return id;
    digest = await sha256(digest);
  }
}

// The reference's fingerprint blacklist (admission-and-http §7: 17 words, stored base64-encoded there).
// Fingerprints must be exactly what a reference node derives (a token-subject prefix is checked
// against it), so this list is not ours to choose, unlike BLOCKED above.
const FINGERPRINT_BLACKLIST = /shit|fuc|fuk|damn|bitch|bastar|asshol|crap|dick|piss|bollock|puss|bugger|blood|fagg|cunt|cum/i;

/**
 * One step of a fingerprint: `digest` in base62, cut to `length` (left-padded with `0`), or
 * `undefined` when that spells a blacklisted word and the caller must hash `digest` again.
 */
export function fingerprintCandidate(digest: Uint8Array, length: number): string | undefined {
  const id = base62FromBytes(digest).slice(0, length).padStart(length, '0');
  return FINGERPRINT_BLACKLIST.test(id) ? undefined : id;
}

export interface ReferenceSystemIdInputs {
  /** First non-zero MAC address, any notation. */
  readonly mac?: string;
  /** Used when there is no MAC. */
  readonly hostname?: string;
  /** Path of the entry script. */
  readonly entry: string;
  /** Command-line `--flags` of the process, if any (joined with a space: unverified against the reference). */
  readonly flags?: readonly string[];
  /** `FAME_NODE_ID_SALT`. */
  readonly salt?: string;
}

/**
 * The material the reference hashes into its default system id (protocol-core §2.7). Two
 * processes running the same script on one host get the same id from it; use it only to
 * reproduce a reference id. Our default system id is {@link randomId}.
 */
export function referenceSystemIdMaterial(inputs: ReferenceSystemIdInputs): string {
  const host = inputs.mac ? `mac:${inputs.mac.toLowerCase().replace(/[^0-9a-f]/g, '')}` : `hn:${inputs.hostname ?? ''}`;
  const flags = inputs.flags && inputs.flags.length > 0 ? `flags:${[...inputs.flags].sort().join(' ')}|` : '';
  return `${host}|${flags}entry:${inputs.entry}|salt:${inputs.salt ?? ''}`;
}
