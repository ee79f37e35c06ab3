import { ConnectorClosedError, FameError, type Logger, type TokenProvider, type WireMessage } from '@naylence/core';
import type { Dispatcher } from 'undici';
import { encodeCloseNotice } from './close-notice.js';
import { CLOSE_ABNORMAL, closeCodeForStatus, errorDetail, HttpStatusError } from './http-status.js';
import { OutboundQueue, type QueuedRequest } from './outbound-queue.js';
import { LINK_HEADER, safeUrl, SEQ_HEADER } from './route.js';
import { TOKEN_PENDING, TokenCache } from './token-cache.js';

/** Back-off after a `429 receiver busy`: doubles from `initialDelayMs` up to `maxDelayMs`, with jitter. */
export interface BusyRetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface HttpSenderOptions {
  /** Where every envelope is POSTed. */
  readonly url: URL;
  readonly dispatcher: Dispatcher;
  /** Supplies the bearer token of every request; absent = no credentials. */
  readonly tokenProvider?: TokenProvider | undefined;
  /** Header that carries `Bearer <token>`. Default `authorization`. */
  readonly headerName?: string | undefined;
  /** Our link id (`x-fame-link`); absent = plain reference-style requests. */
  readonly linkId?: string | undefined;
  /** The receiver is known to order requests (it sent us `x-fame-link` itself): pipeline from the start. */
  readonly ordered?: boolean | undefined;
  /** Requests in flight at once once the receiver echoed `x-fame-link` (else one). */
  readonly maxInFlight: number;
  /** Unacknowledged bytes above which `enqueue` returns false. */
  readonly highWaterMark: number;
  /** Time allowed for a response's headers and body. */
  readonly requestTimeoutMs: number;
  readonly retry: BusyRetryPolicy;
  readonly logger: Logger;
  /** The link cannot go on: a non-2xx other than 429, a network failure, a token failure. Called once. */
  readonly onFatal: (code: number, reason: string, error: Error) => void;
}

/** What a sender did so far (counters only grow): requests sent, answered `429 receiver busy` (each retried later), messages accepted. */
export type SenderStats = Readonly<Record<'requests' | 'busy' | 'delivered', number>>;

/** Most times a request of an ordered link is re-sent after a network failure (the receiver drops duplicates). */
const MAX_NETWORK_RETRIES = 3;
/** How much of an error response body is read for the close reason. */
const MAX_ERROR_BODY = 1024;
const noop = (): void => {};

/**
 * The outbound half of an HTTP link: one POST per message, in order, to one URL, through an
 * undici dispatcher (keep-alive).
 *
 * - Against a receiver that echoes our `x-fame-link`, up to `maxInFlight` requests are
 *   pipelined, each with its `x-fame-seq`, and the receiver restores their order; against any
 *   other receiver (the reference) one request at a time, like the reference's own sender.
 * - `429` is back-pressure, never loss: the message stays queued and is sent again after a
 *   back-off (in order: nothing after it is sent meanwhile), and `enqueue` reports the
 *   growing queue through its return value.
 * - A `401` is retried once with a freshly fetched token; tokens are cached until shortly
 *   before their `expiresAt`.
 * - Any other non-2xx, or a network failure, ends the link through `onFatal`.
 */
export class HttpSender {
  readonly #options: HttpSenderOptions;
  readonly #origin: string;
  readonly #path: string;
  readonly #authHeader: string;
  readonly #what: string;
  readonly #queue: OutboundQueue;
  readonly #tokens: TokenCache;
  #inFlight = 0;
  #window = 1;
  #ordered = false;
  #paused = false;
  #backoffMs = 0;
  #backoffTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #busy = 0;
  #requests = 0;
  #delivered = 0;

  constructor(options: HttpSenderOptions) {
    this.#options = options;
    this.#origin = options.url.origin;
    this.#path = `${options.url.pathname}${options.url.search}`;
    this.#authHeader = (options.headerName ?? 'authorization').toLowerCase();
    this.#what = safeUrl(options.url);
    this.#queue = new OutboundQueue(options.highWaterMark);
    this.#tokens = new TokenCache(
      options.tokenProvider,
      () => this.#pump(),
      (error) =>
        this.#fail(
          1008,
          'token provider failed',
          new FameError('AUTHENTICATION_FAILED', `token for ${this.#what} unavailable: ${error.message}`, { cause: error }),
        ),
    );
    if (options.ordered === true && options.linkId !== undefined) {
      this.#ordered = true;
      this.#window = options.maxInFlight;
    }
  }

  /** Whether the receiver understands our ordering headers (it echoed `x-fame-link`). */
  get ordered(): boolean {
    return this.#ordered;
  }

  /** Bytes queued and not yet acknowledged by the receiver. */
  get queuedBytes(): number {
    return this.#queue.queuedBytes;
  }

  /** Requests sent, how many of them the receiver answered `429 receiver busy`, and how many it accepted (2xx). */
  get stats(): SenderStats {
    return { requests: this.#requests, busy: this.#busy, delivered: this.#delivered };
  }

  /** Queues one message; returns false once the unacknowledged bytes reach the high-water mark. */
  enqueue(message: WireMessage): boolean {
    const belowMark = this.#queue.push(message);
    this.#pump();
    return belowMark;
  }

  /** Resolves once the queue is below the high-water mark; rejects if the sender stops first. */
  drain(): Promise<void> {
    return this.#queue.drain();
  }

  /** Resolves true once every queued message was acknowledged, false after `timeoutMs` or a stop. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.#queue.idle) return Promise.resolve(true);
    if (this.#stopped) return Promise.resolve(false);
    return this.#queue.flush(timeoutMs);
  }

  /**
   * Tells an ordered receiver that the link is closed (`DELETE`, ordered after every message
   * sent), waiting at most `timeoutMs`. Does nothing for other receivers.
   */
  async sendClose(code: number, reason: string, timeoutMs: number): Promise<void> {
    if (!this.#ordered) return;
    const headers = this.#headers(this.#queue.takeSeq());
    headers['content-type'] = 'application/json';
    const token = this.#tokens.cached;
    if (token !== undefined) headers[this.#authHeader] = token;
    try {
      const response = await this.#options.dispatcher.request({
        origin: this.#origin,
        path: this.#path,
        method: 'DELETE',
        headers,
        body: encodeCloseNotice(code, reason),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await response.body.dump();
    } catch (error) {
      this.#options.logger.debug({ err: error }, 'close notice not delivered');
    }
  }

  /** Stops sending: pending drains reject, queued messages are dropped, responses are ignored. */
  stop(error: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#backoffTimer);
    this.#queue.rejectDrains(error);
    this.#queue.notifyIdle();
  }

  #pump(): void {
    if (this.#stopped || this.#paused || this.#tokens.pending) return;
    while (this.#inFlight < this.#window) {
      const item = this.#queue.next();
      if (item === undefined) return;
      const auth = this.#tokens.header();
      if (auth === TOKEN_PENDING) {
        // Sent once the token arrives, first.
        this.#queue.putBack(item);
        return;
      }
      this.#send(item, auth);
    }
  }

  #headers(seq: number): Record<string, string> {
    const linkId = this.#options.linkId;
    return linkId === undefined ? {} : { [LINK_HEADER]: linkId, [SEQ_HEADER]: String(seq) };
  }

  #send(item: QueuedRequest, auth: string | undefined): void {
    this.#queue.markInFlight(item);
    this.#inFlight++;
    this.#requests++;
    const headers = this.#headers(item.seq);
    headers['content-type'] = 'application/octet-stream';
    if (auth !== undefined) headers[this.#authHeader] = auth;
    const timeout = this.#options.requestTimeoutMs;
    // A bare dispatch handler: no response stream or promise per request.
    let status = 0;
    let echo: unknown;
    let errorText = '';
    this.#options.dispatcher.dispatch(
      {
        origin: this.#origin,
        path: this.#path,
        method: 'POST',
        headers,
        body: item.body,
        // Pipelining a POST needs both: the receiver drops duplicates and restores order.
        idempotent: this.#ordered,
        blocking: !this.#ordered,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      {
        onRequestStart: noop,
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          status = statusCode;
          echo = responseHeaders[LINK_HEADER];
        },
        onResponseData: (_controller, chunk) => {
          if ((status < 200 || status >= 300) && errorText.length < MAX_ERROR_BODY) errorText += chunk.toString('utf8');
        },
        onResponseEnd: () => this.#onResponse(item, status, echo, errorText.slice(0, MAX_ERROR_BODY), auth),
        onResponseError: (_controller, error) => this.#onNetworkError(item, error),
      },
    );
  }

  #onResponse(item: QueuedRequest, status: number, echo: unknown, errorText: string, auth: string | undefined): void {
    this.#inFlight--;
    if (status >= 200 && status < 300) {
      if (!this.#ordered && this.#options.linkId !== undefined && echo === this.#options.linkId) {
        this.#ordered = true;
        this.#window = this.#options.maxInFlight;
      }
      this.#backoffMs = 0;
      this.#delivered++;
      this.#queue.ack(item);
      this.#pump();
      return;
    }
    if (this.#stopped) return;
    if (status === 429) {
      this.#busy++;
      this.#retryLater(item);
      return;
    }
    if (status === 401 && this.#tokens.enabled && !item.authRetried) {
      item.authRetried = true;
      this.#tokens.refused(auth);
      this.#queue.markRetry(item);
      this.#pump();
      return;
    }
    const error = new HttpStatusError(status, errorDetail(errorText), this.#what);
    this.#fail(closeCodeForStatus(status), `HTTP ${status}${error.detail === undefined ? '' : ` ${error.detail}`}`, error);
  }

  #onNetworkError(item: QueuedRequest, error: Error): void {
    this.#inFlight--;
    if (this.#stopped) return;
    // An ordered receiver drops duplicates, so a request that may or may not have arrived can
    // be sent again; with any other receiver a second copy could be delivered twice.
    if (this.#ordered && item.networkRetries < MAX_NETWORK_RETRIES) {
      item.networkRetries++;
      this.#options.logger.debug({ err: error, seq: item.seq }, 'request failed; sending it again');
      this.#retryLater(item);
      return;
    }
    this.#fail(
      CLOSE_ABNORMAL,
      `HTTP request failed: ${error.message}`,
      new ConnectorClosedError(`POST ${this.#what} failed: ${error.message}`, CLOSE_ABNORMAL, { cause: error }),
    );
  }

  /** Sends `item` again after a back-off; nothing else is sent meanwhile, so order holds. */
  #retryLater(item: QueuedRequest): void {
    this.#queue.markRetry(item);
    if (this.#paused) return;
    const { initialDelayMs, maxDelayMs } = this.#options.retry;
    this.#backoffMs = Math.min(maxDelayMs, this.#backoffMs === 0 ? initialDelayMs : this.#backoffMs * 2);
    const delay = this.#backoffMs / 2 + Math.random() * (this.#backoffMs / 2);
    this.#paused = true;
    this.#backoffTimer = setTimeout(() => {
      this.#paused = false;
      this.#pump();
    }, delay);
  }

  #fail(code: number, reason: string, error: Error): void {
    if (this.#stopped) return;
    this.#options.logger.warn({ err: error, code }, `HTTP link failed: ${reason}`);
    this.stop(error);
    this.#options.onFatal(code, reason, error);
  }
}
