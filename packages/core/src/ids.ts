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

/** Where `count` fresh random bytes start in `pool` (no view object per id). */
function takeRandom(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += count;
  return at;
}

// Char code for every byte value: `ALPHABET[byte % 62]`, as the reference draws them.
const CHAR_FOR_BYTE = Uint16Array.from({ length: 256 }, (_, b) => BASE62_ALPHABET.charCodeAt(b % 62));

function randomId16(): string {
  const i = takeRandom(16);
  const b = pool;
  const c = CHAR_FOR_BYTE;
  return String.fromCharCode(
    c[b[i]!]!,
    c[b[i + 1]!]!,
    c[b[i + 2]!]!,
    c[b[i + 3]!]!,
    c[b[i + 4]!]!,
    c[b[i + 5]!]!,
    c[b[i + 6]!]!,
    c[b[i + 7]!]!,
    c[b[i + 8]!]!,
    c[b[i + 9]!]!,
    c[b[i + 10]!]!,
    c[b[i + 11]!]!,
    c[b[i + 12]!]!,
    c[b[i + 13]!]!,
    c[b[i + 14]!]!,
    c[b[i + 15]!]!,
  );
}

/** A random base62 id (16 characters by default) from the platform CSPRNG. */
export function randomId(length: number = ID_LENGTH): string {
  for (;;) {
    let id: string;
    if (length === ID_LENGTH) id = randomId16();
    else {
      const at = takeRandom(length);
      id = '';
      for (let i = 0; i < length; i++) id += String.fromCharCode(CHAR_FOR_BYTE[pool[at + i]!]!);
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

// Char codes of one 128-bit number in base62 (at most 22), filled from the end, and its eight
// 16-bit limbs; both reused. Each length has its own array of exactly that many char codes:
// `fromCharCode.apply` spreads a plain array without copying it (a typed array would be).
const DIGITS_128 = new Uint16Array(22);
const LIMBS_128 = [0, 0, 0, 0, 0, 0, 0, 0];
const CODES_OF_LENGTH: number[][] = [];

/**
 * 16 bytes in base62 by schoolbook division of eight 16-bit limbs by 62: every intermediate
 * value stays below 2^22 and every quotient is an exact division, so the arithmetic is small
 * integers only (no BigInt, and no heap-allocated doubles before the code is optimized: one
 * digest per attach, mostly in cold code). One flat string (sids are kept per neighbour; a
 * string built by prepending characters is a chain of rope nodes).
 */
function base62Of128(bytes: Uint8Array | string): string {
  // (reads bytes 0–15 only: a SHA-256 digest is passed whole; a string holds one byte per char)
  const limbs = LIMBS_128;
  if (typeof bytes === 'string') for (let i = 0; i < 8; i++) limbs[i] = (bytes.charCodeAt(2 * i) << 8) | bytes.charCodeAt(2 * i + 1);
  else for (let i = 0; i < 8; i++) limbs[i] = (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
  let top = 0;
  while (top < 8 && limbs[top] === 0) top++;
  if (top === 8) return '0';
  let start = DIGITS_128.length;
  while (top < 8) {
    let r = 0;
    for (let i = top; i < 8; i++) {
      const v = r * 65536 + limbs[i]!;
      r = v % 62;
      limbs[i] = (v - r) / 62;
    }
    DIGITS_128[--start] = BASE62_ALPHABET.charCodeAt(r);
    while (top < 8 && limbs[top] === 0) top++;
  }
  const length = DIGITS_128.length - start;
  const codes = (CODES_OF_LENGTH[length] ??= new Array<number>(length).fill(0));
  for (let i = 0; i < length; i++) codes[i] = DIGITS_128[start + i]!;
  return String.fromCharCode.apply(null, codes);
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array | string): { digest(): Uint8Array } };
  /** One-shot digest (Node >= 20.12): no Hash object, a fraction of `createHash`'s cost. */
  hash?(algorithm: 'sha256', data: Uint8Array | string, outputEncoding: 'buffer'): Uint8Array;
  hash?(algorithm: 'sha256', data: Uint8Array | string, outputEncoding: 'latin1'): string;
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
  // The digest as a 32-char latin1 string (one byte per char): a third of the garbage of a
  // Buffer (its object, its pool slice, and the 'buffer' encoding name lowercased each call).
  if (nodeCrypto?.hash !== undefined) return base62Of128(nodeCrypto.hash('sha256', text, 'latin1')); // its first 16 bytes
  const digest = sha256Sync(text);
  return digest === undefined ? undefined : base62Of128(digest);
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
