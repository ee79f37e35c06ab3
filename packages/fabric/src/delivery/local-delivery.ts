import {
  createDeliveryAck,
  EnvelopeRejection,
  ResponseType,
  type FameEnvelope,
  type Logger,
  type SecurityStage,
  type StageResult,
} from '@naylence/core';
import { stageContext, thrownRejection, type LinkPeer } from '../link/link-peer.js';
import type { NodeHooks } from '../node/hooks.js';
import type { Identity } from '../node/identity.js';
import type { DeliveryContext, LocalBinding } from '../node/local-bindings.js';
import type { Refusals } from '../routing/refusals.js';
import { RecentIds } from './recent-ids.js';

export interface DeliveryHost {
  readonly identity: Identity;
  readonly logger: Logger;
  readonly hooks: readonly NodeHooks[];
  readonly refusals: Refusals;
  /** The node's deliver security stage, if any. */
  readonly stage: SecurityStage | undefined;
  /** Send a DeliveryAck this node generated. */
  originate(ack: FameEnvelope, inReplyTo: FameEnvelope): void;
}

const LOCAL_CONTEXT: DeliveryContext = Object.freeze({ origin: 'local' });
const UPSTREAM_CONTEXT: DeliveryContext = Object.freeze({ origin: 'upstream' });

/**
 * Hands envelopes to local handlers: the deliver security stage first (decrypt, final
 * checks), then at-least-once bookkeeping (protocol-core §6.2, §6.3: every copy is acked, each
 * envelope id reaches the handler once), then the handler.
 */
export class LocalDelivery {
  readonly #host: DeliveryHost;
  readonly #recentIds = new RecentIds();

  constructor(host: DeliveryHost) {
    this.#host = host;
  }

  /** Returns the handler's acceptance (a promise holds the sender's credit until it settles). */
  deliver(binding: LocalBinding, envelope: FameEnvelope, source: LinkPeer | undefined): void | Promise<unknown> {
    const stage = this.#host.stage;
    if (stage === undefined) return this.#handOver(binding, envelope, source, undefined);
    let result: StageResult | Promise<StageResult>;
    try {
      result = stage(envelope, stageContext(this.#host.identity, source?.role ?? 'local', source, false, undefined));
    } catch (error) {
      return this.#afterStage(binding, envelope, thrownRejection(error), source);
    }
    if (result instanceof Promise) {
      return result.then(
        (settled) => this.#afterStage(binding, envelope, settled, source),
        (error: unknown) => this.#afterStage(binding, envelope, thrownRejection(error), source),
      );
    }
    return this.#afterStage(binding, envelope, result, source);
  }

  #afterStage(binding: LocalBinding, received: FameEnvelope, result: StageResult, source: LinkPeer | undefined): void | Promise<unknown> {
    if (!(result instanceof EnvelopeRejection)) return this.#handOver(binding, result, source, received);
    if (source === undefined) return Promise.reject(result.error);
    this.#host.refusals.rejected(received, result, 'deliver', source);
    return undefined;
  }

  #handOver(
    binding: LocalBinding,
    envelope: FameEnvelope,
    source: LinkPeer | undefined,
    received: FameEnvelope | undefined,
  ): void | Promise<unknown> {
    const host = this.#host;
    if (envelope.rtype !== undefined && envelope.rtype & ResponseType.ACK && envelope.frame.type === 'Data') {
      if (envelope.replyTo !== undefined && envelope.corrId !== undefined)
        host.originate(createDeliveryAck(envelope, { sid: host.identity.sid }), received ?? envelope);
      if (source !== undefined && this.#recentIds.check(envelope.id)) {
        host.logger.debug({ envelopeId: envelope.id, address: binding.address }, 'dropped a duplicate (already delivered)');
        return undefined;
      }
    }
    if (host.hooks.length) for (const h of host.hooks) h.onBeforeDeliver?.(envelope, binding.address);
    try {
      return binding.handler(envelope, context(source, received !== envelope ? received : undefined));
    } catch (error) {
      host.logger.error({ err: error, address: binding.address, envelopeId: envelope.id }, 'handler threw; envelope dropped');
      return undefined;
    }
  }
}

function context(source: LinkPeer | undefined, received: FameEnvelope | undefined): DeliveryContext {
  if (received === undefined) {
    if (source === undefined) return LOCAL_CONTEXT;
    if (source.role === 'upstream') return UPSTREAM_CONTEXT;
  }
  return {
    origin: source?.role ?? 'local',
    ...(source !== undefined && source.role !== 'upstream' && { fromSystemId: source.systemId }),
    ...(received !== undefined && { received }),
  };
}
