import type { TokenProvider } from '@naylence/core';

/** Refresh a token this long before it expires (at most half its remaining lifetime). */
const TOKEN_REFRESH_SKEW_MS = 30_000;

/** What {@link TokenCache.header} returns while a token is being fetched. */
export const TOKEN_PENDING = Symbol('token pending');

/**
 * The bearer header of an HTTP sender's requests: fetched from the provider when first needed,
 * cached until shortly before its `expiresAt`, forgotten when the receiver refuses it (401).
 * One fetch at a time; the sender is told when it ends.
 */
export class TokenCache {
  readonly #provider: TokenProvider | undefined;
  readonly #onFetched: () => void;
  readonly #onFailed: (error: Error) => void;
  /** `fresh`: just fetched, used for the next request even if already within its refresh margin. */
  #token: { readonly header: string; readonly refreshAt: number; fresh: boolean } | undefined;
  #pending = false;

  /**
   * @param onFetched called when a fetch started by {@link header} delivered a token
   * @param onFailed called when it failed
   */
  constructor(provider: TokenProvider | undefined, onFetched: () => void, onFailed: (error: Error) => void) {
    this.#provider = provider;
    this.#onFetched = onFetched;
    this.#onFailed = onFailed;
  }

  /** Whether requests carry a token at all. */
  get enabled(): boolean {
    return this.#provider !== undefined;
  }

  /** A fetch is under way: nothing can be sent until it ends. */
  get pending(): boolean {
    return this.#pending;
  }

  /** The header of the cached token, if any (for the close notice, which never waits for one). */
  get cached(): string | undefined {
    return this.#token?.header;
  }

  /** `Bearer …` for the next request, undefined without a provider, or {@link TOKEN_PENDING} while one is fetched. */
  header(): string | undefined | typeof TOKEN_PENDING {
    const provider = this.#provider;
    if (provider === undefined) return undefined;
    const token = this.#token;
    if (token !== undefined) {
      if (token.fresh) {
        token.fresh = false;
        return token.header;
      }
      if (Date.now() < token.refreshAt) return token.header;
    }
    this.#pending = true;
    provider.getToken().then(
      (fresh) => {
        this.#pending = false;
        const now = Date.now();
        const expiresAt = fresh.expiresAt?.getTime();
        const refreshAt = expiresAt === undefined ? Infinity : expiresAt - Math.min(TOKEN_REFRESH_SKEW_MS, (expiresAt - now) / 2);
        this.#token = { header: `Bearer ${fresh.value}`, refreshAt, fresh: true };
        this.#onFetched();
      },
      (error: Error) => {
        this.#pending = false;
        this.#onFailed(error);
      },
    );
    return TOKEN_PENDING;
  }

  /** The receiver refused `header`: forget it, unless a newer token replaced it meanwhile. */
  refused(header: string | undefined): void {
    if (this.#token?.header === header) this.#token = undefined;
  }
}
