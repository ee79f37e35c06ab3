/**
 * `@naylence/admission`: how a FAME node is admitted to its parent (admission-and-http §1–§3,
 * §7, §8.5), wire-compatible with `@naylence/runtime` 0.4.12.
 *
 * Client side:
 * - {@link AdmissionClient}s: {@link welcomeServiceClient} (a hello POSTed to a welcome
 *   service), {@link directAdmissionClient} (a local welcome from configured grants),
 *   {@link noopAdmissionClient} (roots); {@link admissionClientForProfile} builds one from an
 *   admission profile name (`welcome`, `direct`, `direct-http`, `open`, `noop`/`none`, the
 *   `-pkce` variants) and the reference's variables; {@link defaultAdmissionProfiles} takes
 *   more (the browser's `direct-inpage`).
 * - Grants of every type of §3 ({@link parseConnectionGrant}), parsed in either casing.
 * - {@link AdmissionDialer}: a core `Dialer` that admits, picks the attach grant, dials it with
 *   the transport dialer its type maps to (supplied by the program; this package imports no
 *   transport) and renews the admission before the welcome expires.
 * - Node identity policies (§7): {@link defaultIdentityPolicy}, {@link tokenSubjectIdentityPolicy}.
 *
 * Server side: {@link createWelcomeService} with a placement strategy ({@link staticPlacement}),
 * transport provisioners ({@link webSocketProvisioner}, {@link httpProvisioner}) and any attach
 * token issuer (`@naylence/security`'s `createJwtIssuer`); `@naylence/fastify-plugins` serves it.
 *
 * @example
 * ```ts
 * import { NOOP_LOGGER } from '@naylence/core';
 * import { AdmissionDialer, directAdmissionClient } from '@naylence/admission';
 *
 * const dialer = new AdmissionDialer({
 *   client: directAdmissionClient({
 *     grants: [{ type: 'WebSocketConnectionGrant', url: 'ws://127.0.0.1:8000/fame/v1/attach/ws/downstream', auth: { type: 'NoAuth' } }],
 *   }),
 *   // The program maps grant types to transport dialers, e.g. new WebSocketDialer({ url: grant.url!, ...webSocketDialerAuth(auth) }).
 *   dialers: { WebSocketConnectionGrant: () => ({ transport: 'websocket', dial: () => Promise.reject(new Error('no transport here')) }) },
 *   logger: NOOP_LOGGER,
 * });
 * const welcome = await dialer.admit('agent-1');
 * console.log(welcome.systemId, welcome.acceptedLogicals); // agent-1 [ '*' ]
 * ```
 *
 * @packageDocumentation
 */

// Admission clients and their results
export type { AdmissionClient, Admission, AdmittedGrant, HelloRequest } from './admission-client.js';
export {
  welcomeServiceClient,
  WELCOME_HELLO_PATH,
  DEFAULT_WELCOME_TIMEOUT_MS,
  type WelcomeServiceClientOptions,
} from './welcome-client.js';
export { directAdmissionClient, DEFAULT_DIRECT_ADMISSION_TTL_SEC, type DirectAdmissionOptions } from './direct-admission.js';
export { noopAdmissionClient, type NoopAdmissionOptions } from './noop-admission.js';
export { welcomeFromFrame, parseWelcomeEnvelope, type Welcome } from './welcome.js';

// Admission profiles (FAME_ADMISSION_PROFILE)
export {
  ADMISSION_ENV,
  BUILT_IN_ADMISSION_PROFILES,
  admissionClientForProfile,
  canonicalAdmissionProfile,
  createAdmissionProfileRegistry,
  defaultAdmissionProfiles,
  type AdmissionProfileContext,
  type AdmissionProfileFactory,
} from './profiles.js';

// Grants
export {
  NODE_ATTACH_PURPOSE,
  CA_SIGN_PURPOSE,
  WEBSOCKET_CONNECTION_GRANT,
  HTTP_CONNECTION_GRANT,
  INPAGE_CONNECTION_GRANT,
  BROADCAST_CHANNEL_CONNECTION_GRANT,
  parseConnectionGrant,
  parseConnectionGrants,
  selectAttachGrant,
  type ConnectionGrant,
} from './grants.js';
export { grantAuthResolver } from './grant-auth.js';

// Dialing through admission
export { AdmissionDialer, type AdmissionDialerOptions, type GrantDialerFactory } from './admission-dialer.js';

// Node identity (§7)
export {
  defaultIdentityPolicy,
  tokenSubjectIdentityPolicy,
  identityPolicyProfile,
  withSubjectPrefix,
  type NodeIdentityPolicy,
} from './identity-policy.js';

// The welcome service (server side)
export {
  createWelcomeService,
  DEFAULT_WELCOME_TTL_SEC,
  type WelcomeService,
  type WelcomeServiceOptions,
  type AttachTokenIssuer,
} from './welcome-service/welcome-service.js';
export {
  staticPlacement,
  type NodePlacementStrategy,
  type PlacementDecision,
  type HelloContext,
  type StaticPlacementOptions,
} from './welcome-service/placement.js';
export { webSocketProvisioner, httpProvisioner, type TransportProvisioner, type ProvisionRequest } from './welcome-service/provisioners.js';
export { helloFromRequestBody } from './welcome-service/hello-request.js';
export { hostLogicalError, hostLogicalsError } from './logicals.js';

// Casing helpers (snake_case / camelCase members of admission messages)
export { camelCaseKeys, type JsonObject } from './casing.js';
