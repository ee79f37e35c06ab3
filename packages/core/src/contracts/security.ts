import type { FameEnvelope } from '../wire/envelope.js';
import type { OriginType } from '../wire/primitives.js';
import type { AuthorizationContext } from './auth.js';

/** Where an envelope is in the pipeline and what we know about the link it uses. */
export interface SecurityContext {
  /** Our node's system id and physical path (empty until attached). */
  readonly nodeId: string;
  readonly physicalPath: string;
  /** The link the envelope came from or goes to; absent for local delivery. */
  readonly link?: {
    readonly systemId: string;
    readonly originType: OriginType | 'upstream';
    readonly authorization?: AuthorizationContext;
  };
}

export type MaybePromise<T> = T | Promise<T>;

/**
 * Envelope security stages. Every stage is optional and absent means "pass through", so an
 * unconfigured node pays one property check per envelope. A stage rejects an envelope by
 * throwing a `FameError` (e.g. `AUTHORIZATION_FAILED`); the node then drops it with a log line
 * and, where the protocol allows, a NACK.
 *
 * Inbound order: verify → decrypt → authorize. Outbound order: encrypt → sign.
 */
export interface EnvelopeSecurity {
  readonly name: string;
  /** Check the signature of an envelope that arrived on a link. */
  verify?(envelope: FameEnvelope, context: SecurityContext): MaybePromise<FameEnvelope>;
  /** Decrypt an envelope addressed to this node. */
  decrypt?(envelope: FameEnvelope, context: SecurityContext): MaybePromise<FameEnvelope>;
  /** Decide whether an inbound envelope may be routed or delivered. False → opaque NO_ROUTE. */
  authorize?(envelope: FameEnvelope, context: SecurityContext): MaybePromise<boolean>;
  /** Encrypt an envelope this node originates. */
  encrypt?(envelope: FameEnvelope, context: SecurityContext): MaybePromise<FameEnvelope>;
  /** Sign an envelope this node originates. */
  sign?(envelope: FameEnvelope, context: SecurityContext): MaybePromise<FameEnvelope>;
}

/** The default: no stage, nothing checked, nothing added. */
export const NO_SECURITY: EnvelopeSecurity = Object.freeze({ name: 'none' });
