/**
 * The URI name constraints of a CA certificate (RFC 5280 §4.2.1.10), read from its DER.
 *
 * Why a reader of our own: `node:crypto`'s `X509Certificate` verifies signatures and shows the
 * subject alternative names but exposes no other extension, and this example takes no ASN.1
 * dependency. Reading is the easy half of DER: tag, length, value, a dozen lines; only the
 * path to one extension is walked, and anything unexpected is an error (the caller refuses
 * the certificate), never a guess.
 */

const NAME_CONSTRAINTS_OID = Uint8Array.of(0x55, 0x1d, 0x1e); // 2.5.29.30

interface Tlv {
  readonly tag: number;
  readonly start: number; // first content byte
  readonly end: number; // one past the last content byte
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets < 1 || octets > 3 || start + octets > limit) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i++) length = (length << 8) | der[start + i]!;
    start += octets;
  }
  if (start + length > limit) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; offset = out.at(-1)!.end) out.push(readTlv(der, offset, parent.end));
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** URIs of one GeneralSubtrees list (`[6] IA5String` bases; other name forms are reported as `null`). */
function subtreeUris(der: Uint8Array, subtrees: Tlv): (string | null)[] {
  return children(der, subtrees).map((subtree) => {
    const base = children(der, subtree)[0];
    if (!base) throw new Error('empty GeneralSubtree');
    return base.tag === 0x86 ? new TextDecoder().decode(der.subarray(base.start, base.end)) : null;
  });
}

export interface UriNameConstraints {
  /** Permitted URI prefixes; `null` entries are permitted names of other forms. */
  readonly permitted: readonly (string | null)[];
  readonly excluded: readonly (string | null)[];
}

/**
 * The name constraints of a certificate, or undefined when it has none.
 * @throws Error when the DER is not the shape a certificate has
 */
export function uriNameConstraints(der: Uint8Array): UriNameConstraints | undefined {
  const certificate = readTlv(der, 0, der.length);
  const tbs = children(der, certificate)[0];
  if (!tbs) throw new Error('no TBSCertificate');
  const explicitExtensions = children(der, tbs).find((field) => field.tag === 0xa3);
  if (!explicitExtensions) return undefined;
  const extensions = children(der, explicitExtensions)[0];
  if (!extensions) return undefined;
  for (const extension of children(der, extensions)) {
    const [oid, ...rest] = children(der, extension);
    if (!oid || oid.tag !== 0x06 || !sameBytes(der.subarray(oid.start, oid.end), NAME_CONSTRAINTS_OID)) continue;
    const value = rest.at(-1);
    if (!value || value.tag !== 0x04) throw new Error('malformed name constraints extension');
    const constraints = readTlv(der, value.start, value.end);
    const parts = children(der, constraints);
    const of = (tag: number) => parts.find((part) => part.tag === tag);
    const permitted = of(0xa0);
    const excluded = of(0xa1);
    return {
      permitted: permitted ? subtreeUris(der, permitted) : [],
      excluded: excluded ? subtreeUris(der, excluded) : [],
    };
  }
  return undefined;
}
