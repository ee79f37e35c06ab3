import {
  AbortedError,
  ConfigError,
  FameError,
  isFameError,
  NOOP_LOGGER,
  randomId,
  type Authorizer,
  type Dialer,
  type DialRequest,
  type Logger,
  type TokenProvider,
} from '@naylence/core';
import { HttpConnector, linkOptionsOf, type HttpLinkOptions } from './connector.js';
import { bearerGrantAuth, HTTP_CONNECTION_GRANT_TYPE, NO_AUTH, type GrantAuth, type HttpCallbackGrant } from './grants.js';
import type { HttpListener } from './listener.js';
import { appendPathSegment, safeUrl } from './route.js';

/**
 * Reverse auth of the callback link: the parent must present a token of ours on every POST to
 * our callback URL. `tokenProvider` supplies it (it goes into the callback grant of each
 * NodeAttach, as `BearerTokenHeaderAuth` with a `StaticTokenProvider`, so give it a lifetime
 * longer than a link lives, e.g. hours); `authorizer` checks it on our side.
 */
export interface CallbackAuth {
  readonly tokenProvider: TokenProvider;
  readonly authorizer: Authorizer;
}

export interface HttpDialerOptions extends HttpLinkOptions {
  /**
   * The parent's ingress URL **without** the system id, e.g.
   * `http://127.0.0.1:8000/fame/v1/ingress/downstream` (the grant URL of `direct-http`);
   * `dial` appends `/{systemId}`.
   */
  readonly url: string;
  /** Supplies the bearer token of every POST (`Authorization: Bearer …`); absent = no credentials. */
  readonly tokenProvider?: TokenProvider;
  /** Our HTTP listener: the parent POSTs to its `/fame/v1/ingress/upstream`. Started by `dial` if needed. */
  readonly callback: HttpListener;
  /** Reverse auth of the parent's callbacks; absent = the callback grant says `NoAuth` (anyone may POST to it). */
  readonly callbackAuth?: CallbackAuth;
  readonly logger?: Logger;
}

/**
 * Opens HTTP links to a parent (protocol-core §4.9): each link is a stream of POSTs to
 * `{url}/{systemId}` plus the parent's POSTs to our callback listener. Holds the address and
 * the credentials, not a connection: the fabric calls {@link dial} for the first attach and for
 * every reconnect. Each connector carries its callback grant as `attachFields()`, which the
 * fabric adds to the link's NodeAttach (a parent cannot answer over HTTP without it).
 */
export class HttpDialer implements Dialer {
  readonly transport = 'http';
  readonly #url: URL;
  readonly #options: HttpDialerOptions;
  readonly #logger: Logger;

  /** @throws ConfigError when the URL is not an `http:`/`https:` URL */
  constructor(options: HttpDialerOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ConfigError(`invalid HTTP ingress URL ${JSON.stringify(options.url)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`HTTP ingress URL must use http: or https:, got ${JSON.stringify(url.protocol)}`);
    }
    this.#url = url;
    this.#options = options;
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ transport: 'http', dialer: safeUrl(url) });
    if (options.callbackAuth === undefined) {
      this.#logger.warn('HTTP dialer without callbackAuth: anyone who can reach the callback URL can post to this node');
    }
  }

  /** The URL `dial` POSTs to for `systemId`: the configured URL with `/{systemId}` appended. */
  attachUrl(systemId: string): string {
    return appendPathSegment(this.#url, systemId).href;
  }

  /**
   * Prepares one link: starts the callback listener if needed, builds the callback grant and
   * registers the link with the listener. Nothing is sent until the fabric sends NodeAttach;
   * a parent that refuses it (or cannot be reached) closes the connector with the status.
   * @throws AbortedError when `signal` aborts; FameError `AUTHENTICATION_FAILED` when the
   *   callback token provider fails; `INVALID_CONFIG` when the callback listener cannot bind
   */
  async dial(request: DialRequest): Promise<HttpConnector> {
    const { signal } = request;
    const url = appendPathSegment(this.#url, request.systemId);
    const what = `HTTP attach to ${safeUrl(url)}`;
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
    const listener = this.#options.callback;
    await listener.start();
    const auth = await this.#callbackGrantAuth(what, signal);
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
    const grant: HttpCallbackGrant = { type: HTTP_CONNECTION_GRANT_TYPE, url: listener.callbackUrl, auth };

    const connector = new HttpConnector({
      ...linkOptionsOf(this.#options),
      url,
      tokenProvider: this.#options.tokenProvider,
      linkId: randomId(),
      logger: this.#options.logger ?? NOOP_LOGGER,
      remoteAddress: url.host,
      attachFields: { callbackGrants: [grant] },
      // Runs only after the registration below (a connector never closes while being built).
      onClosed: () => unregister(),
    });
    const unregister = listener.registerUpstream(connector, this.#options.callbackAuth?.authorizer);
    this.#logger.debug({ url: safeUrl(url), callback: grant.url }, 'HTTP link ready');
    return connector;
  }

  async #callbackGrantAuth(what: string, signal: AbortSignal | undefined): Promise<GrantAuth> {
    const provider = this.#options.callbackAuth?.tokenProvider;
    if (provider === undefined) return NO_AUTH;
    try {
      return bearerGrantAuth(await provider.getToken(signal));
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
      if (isFameError(error)) throw error;
      throw new FameError('AUTHENTICATION_FAILED', `${what}: callback token provider failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
