/**
 * KeyRequest / KeyAnnounce frames (protocol-security §4.3), the answer a parent gives a
 * KeyRequest from its key store, and the rules for storing announced keys (§4.2) with the
 * W4 hardening: a correlated announce skips the sid check only when it answers a request we
 * sent, and then only the requested key is stored.
 */
import { currentTimestamp, type KeyAnnounceFrame, type KeyRequestFrame } from '@naylence/core';
import type { CryptoProvider } from '../crypto/provider.js';
import { InvalidKeyError } from '../errors.js';
import { secureDigestSync } from '../signing/digests.js';
import type { KeyRecord } from './key-record.js';
import { isAtOrBelow } from './paths.js';
import type { AddKeysResult, KeyStore, RejectedKey } from './key-store.js';

/** `{"type":"KeyRequest","kid":…,"physicalPath":<requester's own path>}` or by `address`. */
export function keyRequestFrame(request: {
  readonly kid?: string;
  readonly address?: string;
  readonly physicalPath?: string;
}): KeyRequestFrame {
  const frame: { -readonly [K in keyof KeyRequestFrame]: KeyRequestFrame[K] } = { type: 'KeyRequest' };
  if (request.kid !== undefined) frame.kid = request.kid;
  if (request.address !== undefined) frame.address = request.address;
  if (request.physicalPath !== undefined) frame.physicalPath = request.physicalPath;
  return frame;
}

/** A KeyAnnounce for keys of `physicalPath`; `created` defaults to now (always written: §3.5). */
export function keyAnnounceFrame(announce: {
  readonly physicalPath: string;
  readonly keys: readonly Record<string, unknown>[];
  readonly created?: string;
  readonly expires?: string;
  readonly address?: string;
}): KeyAnnounceFrame {
  const frame: { -readonly [K in keyof KeyAnnounceFrame]: KeyAnnounceFrame[K] } = {
    type: 'KeyAnnounce',
    physicalPath: announce.physicalPath,
    keys: announce.keys.map((key) => ({ ...key })),
    created: announce.created ?? currentTimestamp(),
  };
  if (announce.expires !== undefined) frame.expires = announce.expires;
  if (announce.address !== undefined) frame.address = announce.address;
  return frame;
}

/**
 * The KeyAnnounce answering a by-kid KeyRequest from `store` (§4.4): the stored record
 * (with its `sid` and `physical_path` members, as the reference re-emits them) under its
 * owner's path. When several owners hold the kid, the one registered first is answered.
 * Undefined when the store has no such key.
 */
export function answerKeyRequest(store: KeyStore, request: KeyRequestFrame): KeyAnnounceFrame | undefined {
  if (request.kid === undefined) return undefined;
  const record = store.keysWithKid(request.kid)[0];
  return record ? keyAnnounceFrame({ physicalPath: record.physical_path, keys: [record] }) : undefined;
}

/** Where a KeyAnnounce came from, relative to this node. */
export type KeyOrigin = 'local' | 'downstream' | 'upstream' | 'peer';

export interface AnnouncedKeys {
  readonly frame: KeyAnnounceFrame;
  /** The announcing envelope's `sid`. */
  readonly envelopeSid: string | undefined;
  readonly origin: KeyOrigin;
  /**
   * Physical path of the node at the other end of the link it arrived on: the child's
   * assigned path (downstream), the parent's path (upstream), `/<systemId>` (peer).
   */
  readonly linkPath: string;
  /**
   * Set only when the envelope's `corrId` matched a KeyRequest this node sent on that link
   * (see `KeyRequestTracker.answer`): the sid check is skipped, and only the key with the
   * requested kid is stored.
   */
  readonly answers?: { readonly kid?: string };
}

/**
 * Stores the keys of a KeyAnnounce per §4.2: an uncorrelated announce must come with the
 * `sid` of the node at the other end of its link, and a child may only announce keys for its
 * own subtree. Invalid keys are dropped individually (see the result).
 * @throws InvalidKeyError when the whole announce is refused (wrong sid, path outside the subtree)
 */
export function acceptAnnouncedKeys(store: KeyStore, provider: CryptoProvider, input: AnnouncedKeys): AddKeysResult {
  const { frame, origin } = input;
  if (origin === 'local') return store.addKeys(frame.keys, frame.physicalPath);
  if (input.answers) {
    const wanted = input.answers.kid;
    if (wanted === undefined) return store.addKeys(frame.keys, frame.physicalPath);
    const rejected: RejectedKey[] = [];
    const keep = frame.keys.filter((key) => {
      if (key.kid === wanted) return true;
      rejected.push({ kid: typeof key.kid === 'string' ? key.kid : undefined, reason: `not the requested key ${JSON.stringify(wanted)}` });
      return false;
    });
    const result = store.addKeys(keep, frame.physicalPath);
    return { ...result, rejected: [...rejected, ...result.rejected] };
  }
  const expected = secureDigestSync(provider, input.linkPath);
  if (input.envelopeSid !== expected) {
    throw new InvalidKeyError(
      `KeyAnnounce from ${origin} ${JSON.stringify(input.linkPath)} refused: envelope sid ${JSON.stringify(input.envelopeSid ?? null)} is not that node's`,
    );
  }
  if (origin === 'downstream' && !isAtOrBelow(frame.physicalPath, input.linkPath)) {
    throw new InvalidKeyError(
      `KeyAnnounce from child ${JSON.stringify(input.linkPath)} refused: keys for ${JSON.stringify(frame.physicalPath)} are outside its subtree`,
    );
  }
  return store.addKeys(frame.keys, frame.physicalPath);
}

/** Keys stored for a path (a detached child's), e.g. to re-announce them upward (§4.2). */
export function announceKeysOf(records: readonly KeyRecord[], physicalPath: string): KeyAnnounceFrame {
  return keyAnnounceFrame({ physicalPath, keys: records });
}
