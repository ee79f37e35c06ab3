import type { AuthInjection } from '@naylence/security';
import type { ConnectionGrant } from './grants.js';
import type { Welcome } from './welcome.js';

/** What a node asks for when it is admitted (a `NodeHello`, admission-and-http §1). */
export interface HelloRequest {
  /** The node's provisional id (configured, persisted or generated); empty asks a welcome service to assign one. */
  readonly systemId: string;
  /** Random per admission. */
  readonly instanceId: string;
  /** Logicals the node wants to bind under (DNS host names, `*.` pools). */
  readonly logicals?: readonly string[];
  readonly capabilities?: readonly string[];
  readonly signal?: AbortSignal;
}

/** A grant together with the credentials strategy its `auth` config resolved to. */
export interface AdmittedGrant {
  readonly grant: ConnectionGrant;
  readonly auth: AuthInjection;
}

/** A welcome and the means to use its grants. */
export interface Admission {
  readonly welcome: Welcome;
  /**
   * The credentials of `grant` (one of `welcome.connectionGrants`): built from its `auth`
   * config, once per grant, so a token provider's cache lives as long as the admission.
   * @throws ConfigError when the auth config is unusable (unknown type, missing token provider)
   */
  authOf(grant: ConnectionGrant): AuthInjection;
}

/**
 * Admits a node (admission-and-http §2): `hello` → a welcome. Implementations: the welcome
 * service client (HTTP), direct admission (a local welcome from configured grants), noop
 * (roots). The reference's `AdmissionClient`.
 */
export interface AdmissionClient {
  /** The profile or kind, for logs: `welcome`, `direct`, `noop`, … */
  readonly kind: string;
  /** False for roots (noop admission, a welcome client marked `isRoot`): no parent to dial. */
  readonly hasUpstream: boolean;
  /**
   * @throws FameError: `AUTHENTICATION_FAILED` (401), `ADMISSION_REJECTED`, `INVALID_HELLO`,
   *   `ADMISSION_FAILED` (unreachable, unusable answer), `ABORTED`
   */
  hello(request: HelloRequest): Promise<Admission>;
}
