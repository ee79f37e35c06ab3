import type {
  AttachDecision,
  EnvelopeContext,
  FameEnvelope,
  NodeAttachAckFrame,
  NodeAttachFrame,
  NodeSecurity,
  SecurityHost,
  SecurityLink,
  StageResult,
} from '@naylence/core';

/** One call of a security member, as {@link RecordingSecurity} saw it. */
export interface StageCall {
  /** The `label` of the recording instance (one per node). */
  readonly node: string;
  readonly stage:
    | 'start'
    | 'stop'
    | 'inbound'
    | 'outbound'
    | 'deliver'
    | 'claim'
    | 'attachFields'
    | 'checkAttachAck'
    | 'authorizeAttach'
    | 'linkAttached'
    | 'linkClosed';
  readonly frameType?: string;
  readonly envelopeId?: string;
  readonly origin?: string;
  /** `role:systemId` of the link (arrival link, or next hop for `outbound`). */
  readonly link?: string;
  readonly response?: boolean;
  /** Frame type of the request an outbound response answers. */
  readonly inReplyTo?: string;
  /** The principal of the link (authorizeAttach). */
  readonly principal?: string;
}

/** What a recording instance does besides recording (default: pass everything, accept every attach). */
export interface RecordingBehaviour {
  inbound?(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult>;
  outbound?(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult>;
  deliver?(envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult>;
  claim?(envelope: FameEnvelope, context: EnvelopeContext, host: SecurityHost): boolean | Promise<boolean>;
  attachFields?(link: SecurityLink): Partial<NodeAttachFrame>;
  checkAttachAck?(ack: NodeAttachAckFrame, link: SecurityLink): void;
  authorizeAttach?(attach: NodeAttachFrame, link: SecurityLink): AttachDecision;
}

/**
 * A `NodeSecurity` for tests: records every call (node, stage, frame, origin, link) in a log
 * that several nodes may share, so a test can assert the order and count of stage calls on a
 * path; optional behaviour lets it refuse, defer, claim or add attach members.
 */
export class RecordingSecurity implements NodeSecurity {
  readonly name = 'recording';
  readonly calls: StageCall[];
  readonly label: string;
  readonly #behaviour: RecordingBehaviour;
  host: SecurityHost | undefined;
  /** Attached links by `role:systemId`. */
  readonly links = new Map<string, SecurityLink>();

  constructor(label: string, calls: StageCall[] = [], behaviour: RecordingBehaviour = {}) {
    this.label = label;
    this.calls = calls;
    this.#behaviour = behaviour;
  }

  start(host: SecurityHost): void {
    this.host = host;
    this.calls.push({ node: this.label, stage: 'start' });
  }

  stop(): void {
    this.calls.push({ node: this.label, stage: 'stop' });
  }

  readonly inbound = (envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> => {
    this.#record('inbound', envelope, context);
    return this.#behaviour.inbound?.(envelope, context) ?? envelope;
  };

  readonly outbound = (envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> => {
    this.#record('outbound', envelope, context);
    return this.#behaviour.outbound?.(envelope, context) ?? envelope;
  };

  readonly deliver = (envelope: FameEnvelope, context: EnvelopeContext): StageResult | Promise<StageResult> => {
    this.#record('deliver', envelope, context);
    return this.#behaviour.deliver?.(envelope, context) ?? envelope;
  };

  claim(envelope: FameEnvelope, context: EnvelopeContext): boolean | Promise<boolean> {
    this.#record('claim', envelope, context);
    return this.#behaviour.claim?.(envelope, context, this.host!) ?? false;
  }

  attachFields(link: SecurityLink): Partial<NodeAttachFrame> {
    this.calls.push({ node: this.label, stage: 'attachFields', link: linkLabel(link) });
    return this.#behaviour.attachFields?.(link) ?? {};
  }

  checkAttachAck(ack: NodeAttachAckFrame, link: SecurityLink): void {
    this.calls.push({ node: this.label, stage: 'checkAttachAck', frameType: ack.type, link: linkLabel(link) });
    this.#behaviour.checkAttachAck?.(ack, link);
  }

  authorizeAttach(attach: NodeAttachFrame, link: SecurityLink): AttachDecision {
    const principal = link.principal?.principal;
    this.calls.push({
      node: this.label,
      stage: 'authorizeAttach',
      frameType: attach.type,
      link: linkLabel(link),
      ...(principal !== undefined && { principal }),
    });
    return this.#behaviour.authorizeAttach?.(attach, link) ?? { accept: true };
  }

  onLinkAttached(link: SecurityLink): void {
    this.links.set(linkLabel(link), link);
    this.calls.push({ node: this.label, stage: 'linkAttached', link: linkLabel(link) });
  }

  onLinkClosed(link: SecurityLink): void {
    this.calls.push({ node: this.label, stage: 'linkClosed', link: linkLabel(link) });
  }

  #record(stage: StageCall['stage'], envelope: FameEnvelope, context: EnvelopeContext): void {
    this.calls.push({
      node: this.label,
      stage,
      frameType: envelope.frame.type,
      envelopeId: envelope.id,
      origin: context.origin,
      ...(context.link !== undefined && { link: linkLabel(context.link) }),
      response: context.response,
      ...(context.inReplyTo !== undefined && { inReplyTo: context.inReplyTo.frame.type }),
    });
  }
}

function linkLabel(link: SecurityLink): string {
  return `${link.role}:${link.systemId}`;
}

/** `calls` reduced to `node stage frameType` lines (plus ` origin→link` for stages with a link). */
export function describeCalls(calls: readonly StageCall[], filter: (call: StageCall) => boolean = () => true): string[] {
  return calls
    .filter(filter)
    .map((c) => [c.node, c.stage, c.frameType, c.origin && `${c.origin}`, c.link && `@${c.link}`].filter(Boolean).join(' '));
}
