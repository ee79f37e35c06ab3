import { secureDigest, secureDigestSync } from '@naylence/core';

/** Owner recorded for the sids of this sentinel and its ancestors. */
const HERE = '';

/**
 * The `sid`s (secureDigest of a physical path, protocol-core §2.6) of the nodes whose place a
 * sentinel knows: itself and its ancestors (prefixes of its own path), and each attached child
 * and peer. An envelope arriving over a link with the sid of a node known to be elsewhere is
 * an impostor's. (A child sentinel legitimately forwards its own children's envelopes, whose
 * sids are digests of paths below it that we never see, so unknown sids pass.)
 */
export class KnownSids {
  readonly #owners = new Map<string, string>();
  #own: string[] = [];

  /** Our own path changed (root start, attach): re-register our sid and our ancestors'. */
  async adoptOwnPath(path: string): Promise<void> {
    const prefixes: string[] = [];
    for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) prefixes.push(path.slice(0, i));
    prefixes.push(path);
    const sids = await Promise.all(prefixes.map((p) => secureDigest(p)));
    for (const sid of this.#own) if (this.#owners.get(sid) === HERE) this.#owners.delete(sid);
    this.#own = sids;
    for (const sid of sids) this.#owners.set(sid, HERE);
  }

  /**
   * Registers the sid of a neighbour's path: at once where digests are synchronous (Node),
   * else once computed, if `stillThere()` then. Returns (or resolves with) the sid registered.
   */
  addNeighbour(systemId: string, path: string, stillThere: () => boolean): string | undefined | Promise<string | undefined> {
    const sid = secureDigestSync(path);
    if (sid !== undefined) return this.#register(systemId, sid);
    return secureDigest(path).then((later) => (stillThere() ? this.#register(systemId, later) : undefined));
  }

  #register(systemId: string, sid: string): string | undefined {
    if (this.#owners.get(sid) === HERE) return undefined;
    this.#owners.set(sid, systemId);
    return sid;
  }

  removeNeighbour(systemId: string, sid: string | undefined): void {
    if (sid !== undefined && this.#owners.get(sid) === systemId) this.#owners.delete(sid);
  }

  /**
   * Whether `sid`, on an envelope from the neighbour `from`, names a node known to be somewhere
   * else: this sentinel, an ancestor, or another child or peer. Returns that node's label.
   */
  elsewhere(sid: string, from: string): string | undefined {
    const owner = this.#owners.get(sid);
    if (owner === undefined || owner === from) return undefined;
    return owner === HERE ? 'this sentinel or an ancestor' : owner;
  }
}
