import {
  decodeEnvelope,
  EnvelopeRejection,
  isFameError,
  isNackEligible,
  LogLimiter,
  MessageTooLargeError,
  utf8ByteLength,
  type FameEnvelope,
  type WireMessage,
} from '@naylence/core';
import type { NodeMetrics } from '../node/metrics.js';
import type { LinkOptions } from './link-peer.js';

/** Close code for a link that keeps sending undecodable envelopes (RFC 6455: inconsistent data). */
export const CLOSE_INVALID_DATA = 1007;
/** Close code for an envelope over the size limit that cannot be answered with a NACK. */
export const CLOSE_TOO_BIG = 1009;

/** The part of a link the guard acts on. */
interface GuardedLink {
  readonly logger: LinkOptions['logger'];
  close(code: number, reason: string): Promise<void>;
}

/**
 * What a link does with messages it cannot decode. Each is dropped with a rate-limited log
 * line; `maxInvalidEnvelopes` of them within `invalidWindowMs` close the link (1007). An
 * envelope over the size limit is parsed anyway (the transport's frame limit bounds the cost)
 * so it can be NACKed with MESSAGE_TOO_LARGE when it asks for an answer; otherwise the link
 * closes with 1009: it is never dropped silently.
 */
export class InboundGuard {
  readonly #link: GuardedLink;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #limiter: LogLimiter;
  readonly #metrics: NodeMetrics | undefined;
  #windowStart = 0;
  #inWindow = 0;
  #total = 0;
  #closing = false;

  constructor(link: GuardedLink, options: LinkOptions) {
    this.#link = link;
    this.#max = options.maxInvalidEnvelopes ?? 10;
    this.#windowMs = options.invalidWindowMs ?? 10_000;
    this.#limiter = options.logLimiter ?? new LogLimiter();
    this.#metrics = options.metrics;
  }

  /**
   * `message` failed to decode with `error`. Returns the envelope and the NACK to answer it with
   * when it is too large but answerable; undefined when it was dropped (or the link closes).
   */
  undecodable(error: unknown, message: WireMessage): { envelope: FameEnvelope; rejection: EnvelopeRejection } | undefined {
    if (error instanceof MessageTooLargeError) return this.#tooLarge(error, message);
    this.#invalid(error, message);
    return undefined;
  }

  #tooLarge(error: MessageTooLargeError, message: WireMessage): { envelope: FameEnvelope; rejection: EnvelopeRejection } | undefined {
    if (this.#metrics) this.#metrics.oversizedEnvelopes += 1;
    let envelope: FameEnvelope | undefined;
    try {
      envelope = decodeEnvelope(message, { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch {
      envelope = undefined;
    }
    const fields = { code: error.code, size: error.size, limit: error.limit };
    if (envelope !== undefined && isNackEligible(envelope)) {
      this.#limiter.log(this.#link.logger, 'warn', 'too-large:nack', fields, 'envelope over the size limit; sending NACK');
      return { envelope, rejection: new EnvelopeRejection('nack', error) };
    }
    this.#limiter.log(
      this.#link.logger,
      'warn',
      'too-large:close',
      fields,
      'envelope over the size limit cannot be answered; closing the link (1009)',
    );
    this.#close(CLOSE_TOO_BIG, 'envelope too large');
    return undefined;
  }

  #invalid(error: unknown, message: WireMessage): void {
    if (this.#metrics) this.#metrics.invalidEnvelopes += 1;
    this.#total += 1;
    const now = Date.now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    this.#inWindow += 1;
    const size = typeof message === 'string' ? utf8ByteLength(message) : message.byteLength;
    const logger = this.#link.logger;
    if (isFameError(error)) {
      // The message is built from peer input, clipped where it was made (core's codec).
      this.#limiter.log(
        logger,
        'warn',
        `invalid:${error.code}`,
        { code: error.code, field: (error as { field?: string }).field, size, invalidCount: this.#total },
        `dropped an undecodable envelope: ${error.message}`,
      );
    } else {
      this.#limiter.log(logger, 'error', 'invalid:unexpected', { err: error, size }, 'dropped an envelope: unexpected decode failure');
    }
    if (this.#max > 0 && this.#inWindow >= this.#max && !this.#closing) {
      if (this.#metrics) this.#metrics.invalidEnvelopeCloses += 1;
      this.#limiter.log(
        logger,
        'warn',
        'invalid:close',
        { invalidCount: this.#total, maxInvalidEnvelopes: this.#max, invalidWindowMs: this.#windowMs },
        `closing the link (${CLOSE_INVALID_DATA}): ${this.#inWindow} undecodable envelopes within ${this.#windowMs} ms`,
      );
      this.#close(CLOSE_INVALID_DATA, 'too many invalid envelopes');
    }
  }

  #close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    void this.#link.close(code, reason);
  }
}
