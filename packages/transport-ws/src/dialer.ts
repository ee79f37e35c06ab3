import {
  AbortedError,
  ConfigError,
  ConnectorClosedError,
  FameTimeoutError,
  NOOP_LOGGER,
  dialToken,
  type Dialer,
  type DialRequest,
  type Logger,
  type TokenProvider,
} from '@naylence/core';
import { DEFAULT_HIGH_WATER_MARK, WebSocketConnector } from './connector.js';
import type { EdgeInfo, OpenRequest, PendingOpen } from './platform/edge.js';
import { socketOpener } from './platform/index.js';

/** Default time allowed for the WebSocket opening handshake (protocol-core §4.4). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Default largest inbound message: 1 MiB (envelopes are at most 256 KiB). */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export interface WebSocketDialerOptions {
  /**
   * Attach URL **without** the system id, e.g. `ws://127.0.0.1:8000/fame/v1/attach/ws/downstream`
   * (or `…/peer`). `dial` appends `/{systemId}` to its path; a query string is kept.
   */
  readonly url: string;
  /** Supplies the bearer token presented on the upgrade; absent = no credentials. */
  readonly tokenProvider?: TokenProvider;
  /**
   * How the token is presented (protocol-core §4.2): `subprotocol` (default) offers the
   * subprotocols `["bearer", token]`, which every reference listener reads; `header` sends
   * `Authorization: Bearer <token>` (Node only; Python listeners ignore it); `query` adds
   * `?<queryParam>=<token>` to the attach URL (the reference's `QueryParamAuth`; no reference
   * listener reads it, and URLs end up in proxy logs: use it only towards servers that need it).
   */
  readonly authMode?: 'subprotocol' | 'header' | 'query';
  /** Query parameter that carries the token in `query` mode. Default `token`. */
  readonly queryParam?: string;
  /** Time allowed for the opening handshake (not for fetching the token). Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Outbound high-water mark of the connectors, in bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Largest inbound message (Node); a larger one closes the link with 1009. Default 1 MiB. */
  readonly maxPayload?: number;
  /**
   * Offer permessage-deflate (Node), with no context takeover either way and a 1 KiB threshold.
   * Default false: compression costs far more CPU than small envelopes save.
   */
  readonly perMessageDeflate?: boolean;
  /** Close links that receive nothing for this long (code 1000, `idle timeout`); 0 disables. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Opens {@link WebSocketConnector}s towards a parent sentinel. Holds the address and the
 * credentials, not a connection: the fabric calls {@link dial} for the first attach and for
 * every reconnect. Uses the `ws` library on Node and the global `WebSocket` elsewhere.
 */
export class WebSocketDialer implements Dialer {
  readonly transport = 'websocket';
  readonly #url: URL;
  readonly #options: WebSocketDialerOptions;
  readonly #logger: Logger;

  /** @throws ConfigError when the URL is not a `ws:`/`wss:` URL */
  constructor(options: WebSocketDialerOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(`invalid WebSocket URL ${JSON.stringify(options.url)}`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new ConfigError(`WebSocket URL must use ws: or wss:, got ${JSON.stringify(url.protocol)}`);
    }
    this.#url = url;
    this.#options = options;
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ transport: 'websocket', dialer: safeUrl(url) });
  }

  /** The URL `dial` opens for `systemId`: the configured URL with `/{systemId}` appended to its path. */
  attachUrl(systemId: string): string {
    const url = new URL(this.#url.href);
    url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}${encodeURIComponent(systemId)}`;
    return url.href;
  }

  /**
   * Opens one link. Resolves with an open connector (authentication failures show up after the
   * upgrade, as a NodeAttachAck `ok:false` and a 1008 close on that connector).
   * @throws FameTimeoutError (`TIMEOUT`) when the handshake takes longer than `connectTimeoutMs`;
   *   AbortedError (`ABORTED`) when `signal` aborts; ConnectorClosedError (`CONNECTOR_CLOSED`)
   *   when the connection is refused or answered with an HTTP error; a FameError with code
   *   `AUTHENTICATION_FAILED` when the token provider fails; ConfigError for a token that
   *   cannot be sent or `authMode: 'header'` outside Node.
   */
  async dial(request: DialRequest): Promise<WebSocketConnector> {
    const { signal } = request;
    const url = this.attachUrl(request.systemId);
    const what = `WebSocket connect to ${safeUrl(new URL(url))}`;
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });

    const token = await dialToken(this.#options.tokenProvider, what, signal);
    const opener = await this.#opener();
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });

    const authMode = this.#options.authMode ?? 'subprotocol';
    const openRequest: OpenRequest = {
      url: token !== undefined && authMode === 'query' ? withQueryToken(url, this.#options.queryParam ?? 'token', token) : url,
      protocols: token !== undefined && authMode === 'subprotocol' ? ['bearer', token] : [],
      ...(token !== undefined && authMode === 'header' && { headers: { Authorization: `Bearer ${token}` } }),
      maxPayload: this.#options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: this.#options.perMessageDeflate ?? false,
    };
    const timeoutMs = this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#logger.debug({ url: safeUrl(new URL(url)), authMode: token === undefined ? 'none' : authMode }, 'dialing');

    return new Promise<WebSocketConnector>((resolve, reject) => {
      let done = false;
      let pending: PendingOpen | undefined;
      const onAbort = (): void => fail(new AbortedError(what, { cause: signal?.reason }));
      const timer = setTimeout(() => fail(new FameTimeoutError(what, timeoutMs)), timeoutMs);
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: Error): void => {
        if (!finish()) return;
        pending?.abort();
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        pending = opener.open(openRequest, {
          open: (socket, addresses: EdgeInfo) => {
            if (!finish()) return;
            try {
              resolve(
                new WebSocketConnector(socket, {
                  highWaterMark: this.#options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
                  ...(this.#options.idleTimeoutMs !== undefined && { idleTimeoutMs: this.#options.idleTimeoutMs }),
                  logger: this.#options.logger ?? NOOP_LOGGER,
                  ...addresses,
                }),
              );
            } catch (error) {
              reject(error instanceof Error ? error : new ConnectorClosedError(`${what} failed`));
            }
          },
          fail: (error) => fail(new ConnectorClosedError(`${what} failed: ${error.message}`, undefined, { cause: error })),
        });
      } catch (error) {
        // Synchronous refusals: an invalid URL or a token that is not a valid subprotocol.
        fail(new ConfigError(`${what}: ${(error as Error).message}`));
      }
    });
  }

  async #opener(): ReturnType<typeof socketOpener> {
    const opener = await socketOpener();
    if (this.#options.authMode === 'header' && !opener.headers) {
      throw new ConfigError("authMode 'header' needs Node: browsers cannot set headers on a WebSocket upgrade");
    }
    return opener;
  }
}

/** `url` with `param=token` added to its query (existing query and fragment kept). */
function withQueryToken(url: string, param: string, token: string): string {
  const target = new URL(url);
  target.searchParams.set(param, token);
  return target.href;
}

/** A URL for logs and errors: no query (it may carry a token) and no credentials. */
function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
