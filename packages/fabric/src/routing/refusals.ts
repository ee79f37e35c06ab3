import {
  clipText,
  createNack,
  FlowFlags,
  DeliveryNackError,
  FameError,
  isNackEligible,
  type LogLimiter,
  type DeliveryAckCode,
  type EnvelopeRejection,
  type FameEnvelope,
  type Logger,
} from '@naylence/core';
import type { NodeHooks } from '../node/hooks.js';
import type { NodeMetrics } from '../node/metrics.js';

import type { LinkRef, Source } from './route-decision.js';

/** What refusals need from their node. */
export interface RefusalHost {
  readonly logger: Logger;
  /** The node's sid, stamped on the NACKs it writes. */
  readonly sid: string | undefined;
  readonly hooks: readonly NodeHooks[];
  readonly metrics: NodeMetrics;
  /** Rate limit of warnings a peer can trigger at will (shared by the node). */
  readonly limiter: LogLimiter;
  /** Send a NACK this node generated (it passes the outbound stage like anything else). */
  originate(nack: FameEnvelope, inReplyTo: FameEnvelope): void;
}

/**
 * Everything that happens to an envelope nobody takes: a NACK to its sender where the protocol
 * allows one (protocol-core §5.5: Data and SecureOpen with `replyTo` and `corrId`), otherwise a
 * rate-limited log line; for an envelope this node originates, a typed error for the caller.
 */
export class Refusals {
  readonly #host: RefusalHost;

  constructor(host: RefusalHost) {
    this.#host = host;
  }

  /**
   * No route, a dead next hop, TTL used up.
   * @throws DeliveryNackError for an envelope originated here (`source` undefined)
   */
  unroutable(envelope: FameEnvelope, source: Source, code: DeliveryAckCode, reason?: string): void {
    const why =
      reason ?? `Unroutable to ${envelope.to ?? envelope.replyTo ?? `capabilities ${JSON.stringify(envelope.capabilities ?? [])}`}`;
    this.#notifyDropped(envelope, code, why);
    if (source === undefined) throw new DeliveryNackError(code, why);
    this.#nackOrLog(envelope, source, code, why);
  }

  /** A send failed after routing chose a link (closed, back-pressure, too large). */
  forwardFailed(envelope: FameEnvelope, source: Source, error: Error, closedCode: DeliveryAckCode): void {
    const code: DeliveryAckCode =
      error instanceof FameError && (error.code === 'BACK_PRESSURE' || error.code === 'MESSAGE_TOO_LARGE') ? error.code : closedCode;
    if (code === 'BACK_PRESSURE') this.#host.metrics.backPressureRefusals += 1;
    this.unroutable(envelope, source, code, code === closedCode ? `Unroutable to ${envelope.to ?? ''}` : error.message);
  }

  /** The routing policy chose to drop (no destination, a route leading back): no NACK. */
  dropped(envelope: FameEnvelope, source: Source, reason: string): void {
    this.#notifyDropped(envelope, 'DROPPED', reason);
    this.#host.logger.debug(
      { envelopeId: clipText(envelope.id), frameType: envelope.frame.type, to: clip(envelope.to), from: label(source) },
      `dropped: ${clipText(reason)}`,
    );
  }

  /**
   * A security stage refused an envelope that arrived (`inbound`), that was to be forwarded
   * (`outbound`) or delivered (`deliver`): NACK it with the error's DeliveryAck code when the
   * stage asks for a NACK and the protocol allows one, else log and drop.
   */
  rejected(envelope: FameEnvelope, rejection: EnvelopeRejection, stage: 'inbound' | 'outbound' | 'deliver', source: Source): void {
    const { error } = rejection;
    this.#notifyDropped(envelope, error.code, error.message);
    const code = error.mapping.deliveryAck;
    if (rejection.action === 'nack' && code !== undefined && source !== undefined && isNackEligible(envelope)) {
      this.#host.logger.debug({ envelopeId: envelope.id, code, stage }, `security refused an envelope; sending NACK: ${error.message}`);
      this.#host.originate(createNack(envelope, code, error.message, { sid: this.#host.sid }), envelope);
      return;
    }
    this.#warn(
      `security:${stage}:${error.code}`,
      envelope,
      source,
      { code: error.code, stage },
      `security refused an envelope: ${clipText(error.message, 200)}`,
    );
  }

  #nackOrLog(envelope: FameEnvelope, source: LinkRef, code: DeliveryAckCode, why: string): void {
    if (isNackEligible(envelope)) {
      this.#host.logger.debug({ envelopeId: clipText(envelope.id), to: clip(envelope.to), code }, 'unroutable; sending NACK');
      // RESET in flowFlags, as the reference's routing NACKs carry (protocol-core §5.5).
      this.#host.originate(createNack(envelope, code, why, { sid: this.#host.sid, flowFlags: FlowFlags.RESET }), envelope);
    } else {
      this.#warn(`unroutable:${code}`, envelope, source, { code }, `dropped: ${clipText(why, 200)}`);
    }
  }

  #warn(key: string, envelope: FameEnvelope, source: Source, fields: object, message: string): void {
    this.#host.limiter.log(
      this.#host.logger,
      'warn',
      key,
      { envelopeId: clipText(envelope.id), frameType: envelope.frame.type, to: clip(envelope.to), from: label(source), ...fields },
      message,
    );
  }

  #notifyDropped(envelope: FameEnvelope, code: string, reason: string): void {
    const hooks = this.#host.hooks;
    if (hooks.length) for (const h of hooks) h.onDropped?.(envelope, code, reason);
  }
}

function label(source: Source): string {
  return source === undefined ? 'local' : source.role === 'upstream' ? 'upstream' : `${source.role}:${source.systemId}`;
}

function clip(text: string | undefined): string | undefined {
  return text === undefined ? undefined : clipText(text);
}
