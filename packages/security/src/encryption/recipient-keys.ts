/**
 * Finding a recipient's X25519 key for sealed encryption (protocol-security §5.2): a
 * destination on this node's own path uses the node's own key; otherwise the key store is
 * searched by the full address, then by its physical path, then by its participant name — the
 * reference's order — for a valid `use: "enc"` X25519 key.
 */
import { tryParseAddress } from '@naylence/core';
import { base64Decode } from '../crypto/encoding.js';
import { checkEncryptionJwk } from '../keys/jwk-validation.js';
import type { KeyRecord } from '../keys/key-record.js';

export interface RecipientKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
}

/** Looks up the key to seal envelopes for `address` with; undefined when none is known yet. */
export type RecipientKeyResolver = (address: string) => RecipientKey | undefined;

export interface KeyStoreRecipientsOptions {
  /** The key store (`KeyStore` or any store with `keysForPath`). */
  readonly store: { keysForPath(owner: string): readonly KeyRecord[] };
  /** This node's own encryption key and path, for local destinations. */
  readonly own?: { readonly encryptionKid: string; readonly encryptionPublicKey: Uint8Array };
  readonly physicalPath?: () => string | undefined;
}

// Key records are immutable: what each one gives (or that it gives nothing) is worked out once,
// not on every sealed envelope.
const recipientKeys = new WeakMap<KeyRecord, RecipientKey | null>();

function recipientKeyOf(record: KeyRecord): RecipientKey | null {
  let key = recipientKeys.get(record);
  if (key === undefined) {
    const publicKey = checkEncryptionJwk(record).ok ? base64Decode(record.x as string) : undefined;
    key = publicKey?.length === 32 ? { kid: record.kid, publicKey } : null;
    recipientKeys.set(record, key);
  }
  return key;
}

function encryptionKeyOf(records: readonly KeyRecord[]): RecipientKey | undefined {
  for (const record of records) {
    const key = recipientKeyOf(record);
    if (key !== null) return key;
  }
  return undefined;
}

/** The reference's lookup order over a key store. */
export function keyStoreRecipients(options: KeyStoreRecipientsOptions): RecipientKeyResolver {
  return (address) => {
    const parsed = tryParseAddress(address);
    if (!parsed) return undefined;
    const own = options.own;
    if (own && parsed.path !== undefined && parsed.path === options.physicalPath?.()) {
      return { kid: own.encryptionKid, publicKey: own.encryptionPublicKey };
    }
    const { store } = options;
    return (
      encryptionKeyOf(store.keysForPath(address)) ??
      (parsed.path === undefined ? undefined : encryptionKeyOf(store.keysForPath(parsed.path))) ??
      encryptionKeyOf(store.keysForPath(parsed.participant))
    );
  };
}
