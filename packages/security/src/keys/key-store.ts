/**
 * The key store of protocol-security §4.2, namespaced by (owner physical path, kid) instead of
 * kid alone (§8 W4): a key whose kid collides with another node's key is stored beside it and
 * never replaces it; the verifier picks the one whose sid is the envelope's. Each stored
 * record carries `sid` = secureDigest(path) and `physical_path` (§8 C2), recomputed here:
 * members of that name in received keys are not trusted.
 */
import { NOOP_LOGGER, type Logger } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { secureDigestSync } from '../signing/digests.js';
import { checkJwk } from './jwk-validation.js';
import type { AddKeysResult, KeyManager, KeyValidator, RejectedKey } from '../plugins/plug-points.js';

export type { AddKeysResult, RejectedKey } from '../plugins/plug-points.js';
import type { KeyRecord } from './key-record.js';

export interface KeyStoreOptions {
  readonly provider: CryptoProvider;
  readonly logger?: Logger;
  /** Upper bound on stored keys; keys beyond it are rejected. Default 10 000. */
  readonly maxKeys?: number;
  /** Vets each key after the §2 rules (certificates, …); a refused key is rejected with its reason. */
  readonly validator?: KeyValidator;
}

/** The path part of a `name@path` key owner (keys for addresses, §5.2); a path stays itself. */
function basePathOf(owner: string): string {
  const at = owner.indexOf('@');
  return at < 0 ? owner : owner.slice(at + 1);
}

export class KeyStore implements KeyManager {
  readonly #provider: CryptoProvider;
  readonly #logger: Logger;
  readonly #maxKeys: number;
  readonly #validator: KeyValidator | undefined;
  readonly #byOwner = new Map<string, Map<string, KeyRecord>>();
  readonly #byKid = new Map<string, KeyRecord[]>();
  readonly #pathBySid = new Map<string, string>();
  /**
   * Verdicts by key object: a NodeAttach's keys are checked when the attach is decided
   * ({@link checkKeys}) and stored once it completes ({@link addKeys}); the validator (certificate
   * chains) runs once per key. Weak: nothing here outlives the decoded frame.
   */
  readonly #verdicts = new WeakMap<object, string | null>();
  #size = 0;

  constructor(options: KeyStoreOptions) {
    this.#provider = options.provider;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#validator = options.validator;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Stores `keys` as belonging to `physicalPath` (a node path, or a `name@path` address).
   * Invalid keys are dropped one by one with a reason. A key replaces the key of the same
   * (path, kid), and older keys of the same use registered for the same path (or for an
   * address on that path) — the reference's stale-key rule, applied within this owner only.
   */
  addKeys(keys: readonly unknown[], physicalPath: string): AddKeysResult {
    const added: KeyRecord[] = [];
    const rejected: RejectedKey[] = [];
    const replaced: KeyRecord[] = [];
    const collisions: string[] = [];
    const sid = secureDigestSync(this.#provider, physicalPath);
    for (const key of keys) {
      const kid = typeof (key as { kid?: unknown } | null)?.kid === 'string' ? (key as { kid: string }).kid : undefined;
      const refusal = this.#refusal(key);
      if (refusal !== undefined) {
        rejected.push({ kid, reason: refusal });
        continue;
      }
      if (this.#size >= this.#maxKeys && !this.#byOwner.get(physicalPath)?.has(kid!)) {
        rejected.push({ kid, reason: `key store full (${this.#maxKeys} keys)` });
        continue;
      }
      const record = Object.freeze({ ...(key as Record<string, unknown>), sid, physical_path: physicalPath }) as KeyRecord;
      replaced.push(...this.#removeStale(record));
      this.#insert(record);
      if (this.#byKid.get(record.kid)!.length > 1) collisions.push(record.kid);
      added.push(record);
    }
    if (rejected.length > 0) this.#logger.warn({ physicalPath, rejected }, 'dropped invalid keys');
    if (collisions.length > 0) this.#logger.warn({ physicalPath, kids: collisions }, 'key ids also used by other nodes: kept apart');
    return { added, rejected, replaced, collisions };
  }

  /** The keys of `keys` this store would refuse (the §2 rules, then the validator), with reasons; nothing is stored. */
  checkKeys(keys: readonly unknown[]): RejectedKey[] {
    const rejected: RejectedKey[] = [];
    for (const key of keys) {
      const refusal = this.#refusal(key);
      if (refusal === undefined) continue;
      const kid = (key as { kid?: unknown } | null)?.kid;
      rejected.push({ kid: typeof kid === 'string' ? kid : undefined, reason: refusal });
    }
    return rejected;
  }

  #refusal(key: unknown): string | undefined {
    const memo = typeof key === 'object' && key !== null ? this.#verdicts.get(key) : undefined;
    if (memo !== undefined) return memo ?? undefined;
    const check = checkJwk(key);
    let refusal: string | undefined;
    if (!check.ok) refusal = check.reason;
    else {
      const verdict = this.#validator?.validateKey(key as Record<string, unknown>);
      if (verdict && !verdict.ok) refusal = verdict.reason;
    }
    if (typeof key === 'object' && key !== null) this.#verdicts.set(key, refusal ?? null);
    return refusal;
  }

  keysWithKid(kid: string): readonly KeyRecord[] {
    return this.#byKid.get(kid) ?? [];
  }

  /** The key `kid` of `physicalPath`, or, without a path, the only key with that kid. */
  getKey(kid: string, physicalPath?: string): KeyRecord | undefined {
    if (physicalPath !== undefined) return this.#byOwner.get(physicalPath)?.get(kid);
    const records = this.#byKid.get(kid);
    return records?.length === 1 ? records[0] : undefined;
  }

  /**
   * The owner path whose secureDigest is `sid`, if this store holds keys of it. Lets a sentinel
   * check without any signature work that an envelope from a child names a node of that child's
   * subtree (see docs/guides/security-profiles.md, "Verification placement").
   */
  pathOfSid(sid: string): string | undefined {
    return this.#pathBySid.get(sid);
  }

  hasKey(kid: string): boolean {
    return this.#byKid.has(kid);
  }

  keysForPath(physicalPath: string): readonly KeyRecord[] {
    return [...(this.#byOwner.get(physicalPath)?.values() ?? [])];
  }

  /** Every owner with its keys. */
  keysByPath(): ReadonlyMap<string, readonly KeyRecord[]> {
    return new Map([...this.#byOwner].map(([path, keys]) => [path, [...keys.values()]]));
  }

  /** Removes every key of `physicalPath` (a detached child); returns how many. */
  removeKeysForPath(physicalPath: string): number {
    const owned = this.#byOwner.get(physicalPath);
    if (!owned) return 0;
    const records = [...owned.values()];
    for (const record of records) this.#remove(record);
    if (records.length > 0) this.#logger.debug({ physicalPath, count: records.length }, 'removed keys of path');
    return records.length;
  }

  removeKey(kid: string, physicalPath: string): boolean {
    const record = this.#byOwner.get(physicalPath)?.get(kid);
    if (record) this.#remove(record);
    return record !== undefined;
  }

  #removeStale(record: KeyRecord): KeyRecord[] {
    const owner = record.physical_path;
    const base = basePathOf(owner);
    const stale: KeyRecord[] = [];
    for (const [path, keys] of this.#byOwner) {
      if (path !== owner && path !== base && !path.endsWith(`@${base}`)) continue;
      for (const existing of keys.values()) {
        if (existing.use === record.use && !(path === owner && existing.kid === record.kid)) stale.push(existing);
      }
    }
    for (const existing of stale) this.#remove(existing);
    return stale;
  }

  #insert(record: KeyRecord): void {
    let owned = this.#byOwner.get(record.physical_path);
    if (!owned) this.#byOwner.set(record.physical_path, (owned = new Map<string, KeyRecord>()));
    const previous = owned.get(record.kid);
    if (previous) {
      this.#remove(previous);
      // Removing the last key of an owner drops its map; put it back.
      this.#byOwner.set(record.physical_path, owned);
    }
    owned.set(record.kid, record);
    this.#pathBySid.set(record.sid, record.physical_path);
    const same = this.#byKid.get(record.kid);
    if (same) same.push(record);
    else this.#byKid.set(record.kid, [record]);
    this.#size++;
  }

  #remove(record: KeyRecord): void {
    const owned = this.#byOwner.get(record.physical_path);
    if (owned?.get(record.kid) !== record) return;
    owned.delete(record.kid);
    if (owned.size === 0) {
      this.#byOwner.delete(record.physical_path);
      this.#pathBySid.delete(record.sid);
    }
    const same = this.#byKid.get(record.kid)!.filter((r) => r !== record);
    if (same.length === 0) this.#byKid.delete(record.kid);
    else this.#byKid.set(record.kid, same);
    this.#size--;
  }
}
