import { AbortedError, ConfigError, type NodeWelcomeFrame } from '@naylence/core';
import type { AuthInjection, TokenProviderConfigOptions } from '@naylence/security';
import type { Admission, AdmissionClient, AdmittedGrant, HelloRequest } from './admission-client.js';
import { grantAuthResolver } from './grant-auth.js';
import { parseConnectionGrant, type ConnectionGrant } from './grants.js';
import { defaultIdentityPolicy, type NodeIdentityPolicy } from './identity-policy.js';
import { welcomeFromFrame } from './welcome.js';

/** Lifetime of a direct welcome when none is configured (the reference's default): one day. */
export const DEFAULT_DIRECT_ADMISSION_TTL_SEC = 86_400;
const MIN_TTL_SEC = 60;
const MAX_TTL_SEC = 7 * 86_400;

export interface DirectAdmissionOptions {
  /** The grants to connect with, as configs in either casing (at least one; usually one `node.attach` grant). */
  readonly grants: readonly unknown[];
  /** How long a welcome lasts: 60 s … 7 days; 0 or absent = one day. */
  readonly ttlSec?: number;
  /** Decides the admitted id (`token-subject` prefixes it with the token subject's fingerprint). Default `default`. */
  readonly identityPolicy?: NodeIdentityPolicy;
  /** Where `env://` secrets of token providers are read, and browser PKCE hooks. */
  readonly tokens?: TokenProviderConfigOptions;
}

/**
 * Direct admission (admission-and-http §2.2, `DirectAdmissionClient`): no network call; the
 * welcome is built from the configured grants. `systemId` = the node's id after its identity
 * policy, `acceptedLogicals` = the requested ones or `["*"]`, no path (the parent assigns it
 * in NodeAttachAck), `expiresAt` = now + ttl. The grants' credentials are resolved once, here,
 * so a configuration error (a missing token URL, an unknown auth type) stops the node at start.
 *
 * @throws ConfigError without grants, with an invalid grant or auth config, or an out-of-range ttl
 */
export function directAdmissionClient(options: DirectAdmissionOptions): AdmissionClient {
  if (options.grants.length === 0) throw new ConfigError('direct admission needs at least one connection grant');
  const grants: ConnectionGrant[] = options.grants.map((g, i) => parseConnectionGrant(g, `direct admission grant ${i}`));
  const authOf = grantAuthResolver(options.tokens);
  const admitted: AdmittedGrant[] = grants.map((grant) => ({ grant, auth: authOf(grant) }));
  const ttlSec = directTtl(options.ttlSec);
  const policy = options.identityPolicy ?? defaultIdentityPolicy;
  const authByGrant = new Map<ConnectionGrant, AuthInjection>(admitted.map((a) => [a.grant, a.auth]));
  return {
    kind: 'direct',
    hasUpstream: true,
    async hello(request: HelloRequest): Promise<Admission> {
      if (request.signal?.aborted) throw new AbortedError('direct admission', { cause: request.signal.reason });
      const systemId = await policy.admissionId({
        currentId: request.systemId,
        grants: admitted,
        ...(request.signal !== undefined && { signal: request.signal }),
      });
      const frame: NodeWelcomeFrame = {
        type: 'NodeWelcome',
        systemId,
        instanceId: request.instanceId,
        acceptedLogicals: request.logicals?.length ? [...request.logicals] : ['*'],
        connectionGrants: grants.map((g) => structuredClone(g.raw) as Record<string, unknown>),
        expiresAt: new Date(Date.now() + ttlSec * 1000).toISOString(),
      };
      // The welcome's grants are the configured objects themselves, so their credentials are reused.
      const welcome = { ...welcomeFromFrame(frame), connectionGrants: grants };
      return {
        welcome,
        authOf: (grant) => authByGrant.get(grant) ?? authOf(grant),
      };
    },
  };
}

function directTtl(ttlSec: number | undefined): number {
  if (ttlSec === undefined || ttlSec === 0) return DEFAULT_DIRECT_ADMISSION_TTL_SEC;
  if (!Number.isFinite(ttlSec) || ttlSec < MIN_TTL_SEC || ttlSec > MAX_TTL_SEC) {
    throw new ConfigError(`direct admission ttl must be ${MIN_TTL_SEC} s … ${MAX_TTL_SEC} s (or 0 for one day), got ${ttlSec}`);
  }
  return ttlSec;
}
