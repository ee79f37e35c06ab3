import {
  FameError,
  NOOP_LOGGER,
  randomId,
  type AuthorizationContext,
  type Logger,
  type NodeHelloFrame,
  type NodeWelcomeFrame,
} from '@naylence/core';
import { withSubjectPrefix } from '../identity-policy.js';
import { hostLogicalsError } from '../logicals.js';
import type { HelloContext, NodePlacementStrategy } from './placement.js';
import type { TransportProvisioner } from './provisioners.js';

/** Welcome lifetime when none is configured (the reference's default). */
export const DEFAULT_WELCOME_TTL_SEC = 3600;

/** Signs attach tokens; `@naylence/security`'s `JwtIssuer` is one. */
export interface AttachTokenIssuer {
  issue(claims: Readonly<Record<string, unknown>>, options?: { readonly audience?: string; readonly ttlSec?: number }): Promise<string>;
}

export interface WelcomeServiceOptions {
  readonly placement: NodePlacementStrategy;
  /** Grant makers in order of preference; a hello listing `supportedTransports` gets the first it supports. */
  readonly transports: readonly TransportProvisioner[];
  readonly tokenIssuer: AttachTokenIssuer;
  /** Lifetime of a welcome (`expiresAt`). Default 3600 s. */
  readonly ttlSec?: number;
  /** Lifetime of attach tokens; default the issuer's. */
  readonly tokenTtlSec?: number;
  /**
   * Node identity (§7) decided here: `token-subject` prefixes each id with the fingerprint of
   * the caller's token subject (`<fingerprint(sub, 8)>-<id>`), so ids are bound to who asked.
   * Default `default`: the hello's id.
   */
  readonly identity?: 'default' | 'token-subject';
  readonly logger?: Logger;
}

/** Admits nodes (`DefaultWelcomeService`, admission-and-http §8.5). */
export interface WelcomeService {
  /**
   * @throws FameError `INVALID_HELLO` (invalid id or logicals), `ADMISSION_REJECTED` (placement
   *   refused, no transport in common, no subject for token-subject identity)
   */
  handleHello(hello: NodeHelloFrame, context?: HelloContext): Promise<NodeWelcomeFrame>;
}

const INVALID_ID = /[/\s\p{Cc}]/u;
const MAX_ID_LENGTH = 256;

/**
 * The welcome service: a hello is checked (its id, its logicals as DNS host names), placed,
 * given an attach token (§3.3 claims: `aud` = `parent_path` = the target's physical path,
 * `system_id`, `assigned_path`, `accepted_logicals`, `instance_id`) and a grant from the first
 * transport provisioner the node supports. A node placed as root gets no token and no grant.
 *
 * A sentinel that checks these tokens at attach (`@naylence/security`'s `jwt` / `oauth2`
 * authorizers, `nodeBindingViolation`) admits only the node they were issued for: same
 * `systemId`, same path, logicals within the token's (better than the reference, S1).
 */
export function createWelcomeService(options: WelcomeServiceOptions): WelcomeService {
  if (options.transports.length === 0) throw new FameError('INVALID_CONFIG', 'a welcome service needs at least one transport provisioner');
  const ttlSec = options.ttlSec ?? DEFAULT_WELCOME_TTL_SEC;
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'welcome-service' });

  return {
    async handleHello(hello, context = {}) {
      const requestedId = hello.systemId.trim();
      let systemId = requestedId === '' ? randomId() : requestedId;
      if (systemId.length > MAX_ID_LENGTH || INVALID_ID.test(systemId))
        throw new FameError('INVALID_HELLO', `Invalid system id ${JSON.stringify(systemId.slice(0, 64))}`);
      if (options.identity === 'token-subject') systemId = withSubjectPrefix(subjectOf(context.authorization), systemId);
      const logicalError = hello.logicals === undefined ? undefined : hostLogicalsError(hello.logicals);
      if (logicalError !== undefined) throw new FameError('INVALID_HELLO', `Invalid logical format: ${logicalError}`);

      const normalized: NodeHelloFrame = { ...hello, systemId };
      const placement = await options.placement.place(normalized, context);
      if (!placement.accept) throw new FameError('ADMISSION_REJECTED', placement.reason || 'Node not accepted');
      const acceptedLogicals = placement.acceptedLogicals ?? hello.logicals;
      const acceptedCapabilities = placement.acceptedCapabilities ?? hello.capabilities;

      const connectionGrants: Record<string, unknown>[] = [];
      if (placement.targetSystemId !== undefined) {
        const provisioner = pickTransport(options.transports, hello.supportedTransports);
        const attachToken = await options.tokenIssuer.issue(
          {
            system_id: systemId,
            parent_path: placement.targetPhysicalPath,
            assigned_path: placement.assignedPath,
            accepted_logicals: [...(acceptedLogicals ?? [])],
            instance_id: hello.instanceId,
          },
          {
            ...(placement.targetPhysicalPath !== undefined && { audience: placement.targetPhysicalPath }),
            ...(options.tokenTtlSec !== undefined && { ttlSec: options.tokenTtlSec }),
          },
        );
        connectionGrants.push(await provisioner.provision({ placement, hello: normalized, attachToken }));
      }
      const frame: NodeWelcomeFrame = {
        type: 'NodeWelcome',
        systemId,
        ...(placement.targetSystemId !== undefined && { targetSystemId: placement.targetSystemId }),
        ...(placement.targetPhysicalPath !== undefined && { targetPhysicalPath: placement.targetPhysicalPath }),
        instanceId: hello.instanceId,
        assignedPath: placement.assignedPath,
        ...(acceptedCapabilities !== undefined && { acceptedCapabilities: [...acceptedCapabilities] }),
        ...(acceptedLogicals !== undefined && { acceptedLogicals: [...acceptedLogicals] }),
        connectionGrants,
        expiresAt: new Date(Date.now() + ttlSec * 1000).toISOString(),
        metadata: { instanceId: hello.instanceId, instance_id: hello.instanceId },
      };
      logger.debug({ systemId, assignedPath: placement.assignedPath, grants: connectionGrants.length }, 'welcomed');
      return frame;
    },
  };
}

function pickTransport(transports: readonly TransportProvisioner[], supported: readonly string[] | undefined): TransportProvisioner {
  if (supported === undefined || supported.length === 0) return transports[0]!;
  const found = transports.find((t) => supported.includes(t.transport));
  if (found === undefined) throw new FameError('ADMISSION_REJECTED', `Unsupported transports: ${supported.join(', ')}`);
  return found;
}

function subjectOf(authorization: AuthorizationContext | undefined): string {
  const sub = authorization?.claims?.sub;
  if (typeof sub === 'string' && sub !== '') return sub;
  throw new FameError('ADMISSION_REJECTED', 'token-subject identity: the caller presented no token subject');
}
