/**
 * The key exchange of one node (protocol-security §4): keys at attach, KeyRequest /
 * KeyAnnounce, announcing a subtree's keys upward, and waiting for a key an envelope needs.
 * It sits on the {@link KeyStore} (keys per (path, kid), §8 W4) and the
 * {@link KeyRequestTracker} (bounded, correlated requests), and talks to neighbours only
 * through the node's `SecurityHost`, so it never sees a socket.
 *
 * Better than the reference (§8 W4): a KeyAnnounce skips the sid check only when its `corrId`
 * answers a request this node sent on that very link, and then only the requested key is kept;
 * a key that is not found is fetched from our own parent before we answer a child (the
 * reference drops such a request).
 */
import {
  createEnvelope,
  NOOP_LOGGER,
  unrefTimer,
  type EnvelopeContext,
  type FameEnvelope,
  type KeyAnnounceFrame,
  type KeyRequestFrame,
  type Logger,
  type SecurityHost,
  type SecurityLink,
} from '@naylence/core';
import { rateLimitedLog } from '../authorization/refusal-log.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { InvalidKeyError } from '../errors.js';
import { acceptAnnouncedKeys, keyAnnounceFrame } from '../keys/key-frames.js';
import type { KeyRecord } from '../keys/key-record.js';
import { KeyRequestTracker, type KeyRequestToSend } from '../keys/key-request-tracker.js';
import type { KeyStore, RejectedKey } from '../keys/key-store.js';
import type { NodeKeys } from '../keys/node-keys.js';
import { isAtOrBelow } from '../keys/paths.js';

export interface KeyExchangeOptions {
  readonly provider: CryptoProvider;
  readonly keys: NodeKeys;
  readonly store: KeyStore;
  readonly logger?: Logger;
  /** A KeyRequest without an answer is sent again after this long (default 5 000 ms, as the reference). */
  readonly requestTimeoutMs?: number;
  /** Sends per key before giving up (default 3, as the reference). */
  readonly requestAttempts?: number;
  /** Envelopes that may wait for one key (default 64) and keys being waited for (default 1024). */
  readonly maxWaitingPerKey?: number;
  readonly maxKeysWaitedFor?: number;
}

/** By-address KeyRequests whose answer we relay, remembered at most (the oldest are forgotten first). */
const MAX_RELAYED = 4096;

/** Someone waiting for a key: resolved with true once it is stored, false when we gave up. */
type Waiter = (known: boolean) => void;

/** How links are told apart in the tracker: the parent, or a child or peer by its system id. */
export function linkKey(link: SecurityLink): string {
  return link.role === 'upstream' ? 'upstream' : `${link.role}:${link.systemId}`;
}

export class KeyExchange {
  readonly #provider: CryptoProvider;
  readonly #keys: NodeKeys;
  readonly #store: KeyStore;
  readonly #logger: Logger;
  readonly #refused: (bindings: Record<string, unknown>, message: string) => void;
  readonly #tracker: KeyRequestTracker<Waiter>;
  readonly #sweepMs: number;
  /** corrId of a by-address KeyRequest routed on for a neighbour → the link it came from (bounded). */
  readonly #relayed = new Map<string, SecurityLink>();
  /** Attached links by {@link linkKey}. */
  readonly #links = new Map<string, SecurityLink>();
  /** Keys a child or peer presented in its NodeAttach, recorded once the attach completes. */
  readonly #presented = new WeakMap<SecurityLink, readonly unknown[]>();
  #host: SecurityHost | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: KeyExchangeOptions) {
    this.#provider = options.provider;
    this.#keys = options.keys;
    this.#store = options.store;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#refused = rateLimitedLog(this.#logger);
    const timeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#sweepMs = Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 2)));
    this.#tracker = new KeyRequestTracker<Waiter>({
      timeoutMs,
      maxAttempts: options.requestAttempts ?? 3,
      maxPendingPerKid: options.maxWaitingPerKey ?? 64,
      maxOutstanding: options.maxKeysWaitedFor ?? 1024,
    });
  }

  /** Keys being waited for (tests, health). */
  get outstanding(): number {
    return this.#tracker.outstanding;
  }

  start(host: SecurityHost): void {
    this.#host = host;
  }

  stop(): void {
    this.#host = undefined;
    this.#stopTimer();
    for (const waiter of this.#tracker.clear()) waiter(false);
  }

  /** The members our NodeAttach (child side) or NodeAttachAck (parent side) carries. */
  shareableKeys(): Record<string, unknown>[] {
    return this.#keys.shareableKeys();
  }

  /** Parent side: which of the keys a child or peer presents would be refused, and why (nothing is stored). */
  refusedKeys(keys: readonly unknown[] | undefined): RejectedKey[] {
    return keys === undefined ? [] : this.#store.checkKeys(keys);
  }

  /** Parent side: the keys a child or peer presented, kept until its attach completes. */
  presented(link: SecurityLink, keys: readonly unknown[] | undefined): void {
    this.#presented.set(link, keys ?? []);
  }

  /** Child side: the parent's keys from its NodeAttachAck, under the path it acknowledged. */
  recordParentKeys(keys: readonly unknown[] | undefined, link: SecurityLink): void {
    this.#replaceKeys(link.physicalPath, keys ?? [], link);
  }

  onLinkAttached(link: SecurityLink): void {
    this.#links.set(linkKey(link), link);
    if (link.role === 'upstream') {
      // Ask again what we were waiting for, as the node we now are; tell the parent our subtree.
      for (const request of this.#tracker.resendAll(this.#host?.node.physicalPath, 'upstream')) this.#sendRequest(request);
      this.#announceSubtreeUpward();
      return;
    }
    const keys = this.#presented.get(link);
    this.#presented.delete(link);
    if (keys === undefined) return;
    const added = this.#replaceKeys(link.physicalPath, keys, link);
    if (added.length > 0 && link.role === 'downstream') this.#announceUpward(link.physicalPath, added);
  }

  onLinkClosed(link: SecurityLink): void {
    for (const [corrId, from] of this.#relayed) if (from === link) this.#relayed.delete(corrId);
    const key = linkKey(link);
    if (this.#links.get(key) === link) this.#links.delete(key);
    const path = link.physicalPath;
    if (path === '') return;
    // A child's (or peer's) keys go with it, and so do those it announced for its subtree.
    const under = link.role === 'upstream' ? [path] : [...this.#store.keysByPath().keys()].filter((p) => isAtOrBelow(p, path));
    for (const owner of under) this.#store.removeKeysForPath(owner);
  }

  /**
   * Resolves true once a key with `kid` is stored, false when it will not come: asked of the
   * parent or peer `from` (or the parent for an envelope we deliver from a child), retried and
   * given up per the tracker. Keys of a child's subtree are never asked for: the child presents
   * or announces them, and we wait for that.
   */
  whenKeyKnown(kid: string, from: SecurityLink | undefined, traceId?: string): Promise<boolean> {
    if (this.#store.hasKey(kid)) return Promise.resolve(true);
    const ask = from !== undefined && from.role !== 'downstream' ? from : this.#links.get('upstream');
    const target = ask !== undefined ? linkKey(ask) : from !== undefined ? linkKey(from) : 'nowhere';
    return new Promise<boolean>((resolve) => {
      const result = this.#tracker.track(kid, target, resolve, this.#host?.node.physicalPath);
      if (result.status === 'dropped') {
        this.#refused({ kid, reason: result.reason }, 'not waiting for a key');
        resolve(false);
        return;
      }
      if (result.status === 'send') this.#sendRequest(result.request, traceId);
      this.#startTimer();
    });
  }

  /** A KeyRequest reached this node: answer it from our keys (fetching from the parent if need be). True = consumed. */
  handleKeyRequest(envelope: FameEnvelope<KeyRequestFrame>, context: EnvelopeContext): boolean {
    const frame = envelope.frame;
    const link = context.link;
    if (link === undefined) return false;
    // By address (sealed encryption, §5.2): routed on to the address's node (the owner answers,
    // see NodeEncryption); its KeyAnnounce comes back to us and is relayed to `link`.
    if (frame.address !== undefined) {
      if (envelope.corrId !== undefined) this.#relay(envelope.corrId, link);
      return false;
    }
    if (frame.kid === undefined) return false;
    const kid = frame.kid;
    const answer = (): boolean => {
      const records = this.#recordsFor(kid);
      for (const record of records) {
        const announce = keyAnnounceFrame({ physicalPath: record.physical_path, keys: [record] });
        this.#send(link, replyTo(envelope, announce), envelope);
      }
      return records.length > 0;
    };
    if (answer()) return true;
    const parent = this.#links.get('upstream');
    if (parent === undefined || link === parent) {
      this.#refused({ kid, from: linkKey(link) }, 'KeyRequest for a key this node does not have');
      return true;
    }
    void this.whenKeyKnown(kid, parent, envelope.traceId).then((known) => {
      if (!known || !answer()) this.#refused({ kid, from: linkKey(link) }, 'KeyRequest for a key nobody up the tree has');
    });
    return true;
  }

  /** A KeyAnnounce reached this node: store its keys per §4.2 and W4, release what waited. True = consumed. */
  handleKeyAnnounce(envelope: FameEnvelope<KeyAnnounceFrame>, context: EnvelopeContext): boolean {
    const link = context.link;
    if (link === undefined || envelope.to !== undefined) return false;
    const requester = envelope.corrId === undefined ? undefined : this.#relayed.get(envelope.corrId);
    if (requester !== undefined) {
      // The answer to a by-address request we routed on: to the requester, as the reference's sentinel does.
      this.#relayed.delete(envelope.corrId!);
      const onward = createEnvelope({
        corrId: envelope.corrId!,
        ...(envelope.traceId !== undefined && { traceId: envelope.traceId }),
        frame: envelope.frame,
      });
      this.#send(requester, onward);
      return true;
    }
    const from = linkKey(link);
    const answers = envelope.corrId === undefined ? undefined : this.#tracker.answer(envelope.corrId, from);
    let added: readonly KeyRecord[];
    try {
      const result = acceptAnnouncedKeys(this.#store, this.#provider, {
        frame: envelope.frame,
        envelopeSid: envelope.sid,
        origin: link.role,
        linkPath: link.physicalPath,
        ...(answers !== undefined && { answers }),
      });
      added = result.added;
      if (result.rejected.length > 0) this.#refused({ from, rejected: result.rejected }, 'KeyAnnounce: keys refused');
    } catch (error) {
      if (!(error instanceof InvalidKeyError)) throw error;
      this.#refused({ from, reason: error.message }, 'KeyAnnounce refused');
      return true;
    }
    for (const record of added) this.#release(record.kid, true);
    if (link.role === 'downstream' && answers === undefined && added.length > 0) this.#announceUpward(envelope.frame.physicalPath, added);
    return true;
  }

  /** Expired requests: sent again, or given up (their waiters hear `false`). */
  sweep(): void {
    const { resend, failed } = this.#tracker.sweep();
    for (const request of resend) this.#sendRequest(request);
    for (const { kid, items } of failed) {
      this.#refused({ kid }, 'gave up waiting for a key');
      for (const waiter of items) waiter(false);
    }
    if (this.#tracker.outstanding === 0) this.#stopTimer();
  }

  #relay(corrId: string, link: SecurityLink): void {
    this.#relayed.delete(corrId);
    this.#relayed.set(corrId, link);
    if (this.#relayed.size > MAX_RELAYED) this.#relayed.delete(this.#relayed.keys().next().value!);
  }

  /** Our own keys answer for themselves; otherwise every stored owner of the kid (usually one). */
  #recordsFor(kid: string): readonly KeyRecord[] {
    const stored = this.#store.keysWithKid(kid);
    if (stored.length > 0) return stored;
    if (kid !== this.#keys.signingKid && kid !== this.#keys.encryptionKid) return [];
    const path = this.#host?.node.physicalPath;
    const sid = this.#host?.node.sid;
    if (path === undefined || path === '' || sid === undefined) return [];
    const own = this.#keys.shareableKeys().find((key) => key.kid === kid)!;
    return [{ ...own, sid, physical_path: path }];
  }

  #replaceKeys(path: string, keys: readonly unknown[], link: SecurityLink): readonly KeyRecord[] {
    if (path === '') return [];
    this.#store.removeKeysForPath(path);
    const result = this.#store.addKeys(keys, path);
    if (result.rejected.length > 0) this.#refused({ from: linkKey(link), rejected: result.rejected }, 'attach: keys refused');
    for (const record of result.added) this.#release(record.kid, true);
    return result.added;
  }

  #release(kid: string, known: boolean): void {
    for (const waiter of this.#tracker.release(kid)) waiter(known);
    if (this.#tracker.outstanding === 0) this.#stopTimer();
  }

  /** Keys of a node in our subtree, told to our parent (§4.2), as the reference does. */
  #announceUpward(path: string, records: readonly KeyRecord[]): void {
    const parent = this.#links.get('upstream');
    if (parent === undefined) return;
    this.#send(parent, createEnvelope({ frame: keyAnnounceFrame({ physicalPath: path, keys: records }) }));
  }

  #announceSubtreeUpward(): void {
    const own = this.#host?.node.physicalPath;
    if (own === undefined || own === '') return;
    for (const [path, records] of this.#store.keysByPath()) {
      if (path !== own && isAtOrBelow(path, own) && records.length > 0) this.#announceUpward(path, records);
    }
  }

  #sendRequest(request: KeyRequestToSend, traceId?: string): void {
    const link = this.#links.get(request.target);
    // A child is never asked: it presents or announces its subtree's keys itself.
    if (link === undefined || link.role === 'downstream') return;
    this.#send(link, createEnvelope({ corrId: request.corrId, ...(traceId !== undefined && { traceId }), frame: request.frame }));
  }

  #send(link: SecurityLink, envelope: FameEnvelope, inReplyTo?: FameEnvelope): void {
    const host = this.#host;
    if (host === undefined) return;
    host
      .sendVia(link, envelope, inReplyTo === undefined ? undefined : { inReplyTo })
      .catch((error: Error) => this.#logger.debug({ err: error, frameType: envelope.frame.type, to: linkKey(link) }, 'key frame not sent'));
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#tracker.outstanding === 0) return;
    this.#timer = setInterval(() => this.sweep(), this.#sweepMs);
    unrefTimer(this.#timer);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** The answer to `request`: same `corrId` and `traceId`, sent back down the link it came on. */
function replyTo(request: FameEnvelope, frame: KeyAnnounceFrame): FameEnvelope {
  return createEnvelope({
    ...(request.corrId !== undefined && { corrId: request.corrId }),
    ...(request.traceId !== undefined && { traceId: request.traceId }),
    frame,
  });
}
