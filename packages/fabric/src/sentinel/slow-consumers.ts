import { unrefTimer, type LogLimiter, type Logger } from '@naylence/core';
import type { StallWatch, WatchedLink } from '../link/link-peer.js';
import type { NodeMetrics } from '../node/metrics.js';

/** Close code of a link closed as a slow consumer (policy: it kept more pending than allowed). */
export const CLOSE_SLOW_CONSUMER = 1008;
export const SLOW_CONSUMER_REASON = 'slow consumer';

/**
 * Closes links that stay stalled past a deadline (nats-server's slow-consumer eviction): a
 * send queue that stays full (it refused envelopes with BACK_PRESSURE and has not drained
 * below half since) or a transport whose buffer stays above its high-water mark. Links report
 * their stalls; one timer per sentinel checks the stalled ones, and only while there are any,
 * so healthy links cost nothing.
 */
export class SlowConsumers implements StallWatch {
  readonly #stalled = new Set<WatchedLink>();
  readonly #deadlineMs: number;
  readonly #logger: Logger;
  readonly #limiter: LogLimiter;
  readonly #metrics: NodeMetrics;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param deadlineMs how long a link may stay stalled; 0 = never close one */
  constructor(deadlineMs: number, logger: Logger, limiter: LogLimiter, metrics: NodeMetrics) {
    this.#deadlineMs = deadlineMs;
    this.#logger = logger;
    this.#limiter = limiter;
    this.#metrics = metrics;
  }

  update(link: WatchedLink): void {
    if (this.#deadlineMs <= 0) return;
    if (link.stalledSince !== 0 && link.isOpen) {
      this.#stalled.add(link);
      this.#timer ??= setInterval(() => this.#sweep(), Math.max(25, this.#deadlineMs / 4));
      unrefTimer(this.#timer);
    } else this.#stalled.delete(link);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stalled.clear();
  }

  #sweep(): void {
    const now = Date.now();
    for (const link of this.#stalled) {
      const since = link.stalledSince;
      if (!link.isOpen || since === 0) this.#stalled.delete(link);
      else if (now - since >= this.#deadlineMs) {
        this.#stalled.delete(link);
        this.#closeSlow(link, now - since);
      }
    }
    if (this.#stalled.size === 0) this.stop();
  }

  #closeSlow(link: WatchedLink, stalledForMs: number): void {
    this.#metrics.slowConsumerCloses += 1;
    const { envelopes, bytes } = link.queued;
    this.#limiter.log(
      link.logger ?? this.#logger,
      'warn',
      'slow-consumer',
      {
        peer: link.peer.systemId,
        why: link.stallReason,
        stalledForMs,
        queuedEnvelopes: envelopes,
        queuedBytes: bytes,
        closeCode: CLOSE_SLOW_CONSUMER,
      },
      `slow consumer: ${link.stallReason} for ${stalledForMs} ms (deadline ${this.#deadlineMs} ms); closing the link`,
    );
    void link.close(CLOSE_SLOW_CONSUMER, SLOW_CONSUMER_REASON);
  }
}
