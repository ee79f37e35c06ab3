import { FameError, NOOP_LOGGER, randomId, unrefTimer, type Connector, type Dialer, type DialRequest, type Logger } from '@naylence/core';
import type { AuthInjection } from '@naylence/security';
import type { Admission, AdmissionClient } from './admission-client.js';
import { selectAttachGrant, type ConnectionGrant } from './grants.js';
import type { Welcome } from './welcome.js';

/**
 * Builds the transport dialer of one grant: e.g. a `WebSocketDialer` for a
 * `WebSocketConnectionGrant` (with `webSocketDialerAuth(auth)`), an `HttpDialer` for an
 * `HttpConnectionGrant`. The program composing the node supplies them (this package imports no
 * transport), keyed by grant type.
 */
export type GrantDialerFactory = (grant: ConnectionGrant, auth: AuthInjection) => Dialer;

export interface AdmissionDialerOptions {
  readonly client: AdmissionClient;
  /** Dialer factories by grant type; the attach grant is the first `node.attach` grant of a type listed here. */
  readonly dialers: Readonly<Record<string, GrantDialerFactory>>;
  /** Logicals asked for in every hello. */
  readonly logicals?: readonly string[];
  readonly capabilities?: readonly string[];
  /** How long before a welcome expires the link is closed to be re-admitted. Default 60 000 ms (the reference's margin). */
  readonly renewBeforeMs?: number;
  readonly logger?: Logger;
}

/** A link is never renewed sooner than this after it opened, whatever the welcome says. */
const MIN_RENEW_DELAY_MS = 5_000;

/**
 * A core `Dialer` that admits the node before it connects (admission-and-http §1): every dial
 * runs a hello (the first one may come from {@link admit}), picks the welcome's attach grant,
 * and dials it with the transport dialer the grant's type maps to, presenting the grant's
 * credentials. So reconnects are re-admissions, as in the reference, and a welcome's expiry is
 * honoured: the link is closed `renewBeforeMs` before `expiresAt`, and the fabric's reconnect
 * admits the node again with a fresh welcome (and a fresh attach token).
 *
 * The node's id is the first welcome's `systemId` (call {@link admit} before building the node,
 * and give the node that id); a later welcome naming another id fails the dial rather than
 * attach under a name the node does not have.
 */
export class AdmissionDialer implements Dialer {
  readonly #options: AdmissionDialerOptions;
  readonly #logger: Logger;
  readonly #renewBeforeMs: number;
  readonly #dialers = new WeakMap<ConnectionGrant, Dialer>();
  #provisionalId: string | undefined;
  #confirmedId: string | undefined;
  #fresh: Admission | undefined;
  #current: Welcome | undefined;
  #transport: string;
  #renewal: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: AdmissionDialerOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ component: 'admission', admission: options.client.kind });
    this.#renewBeforeMs = options.renewBeforeMs ?? 60_000;
    this.#transport = options.client.kind;
  }

  /** The transport of the last grant dialed (before that, the admission kind), for logs. */
  get transport(): string {
    return this.#transport;
  }

  /** The welcome of the current (or last) admission. */
  get welcome(): Welcome | undefined {
    return this.#current;
  }

  /** The grant types this dialer can dial. */
  get grantTypes(): string[] {
    return Object.keys(this.#options.dialers);
  }

  /**
   * The first admission, before the node exists: its welcome names the node's id (and, from a
   * welcome service, its path and accepted logicals). The next dial uses this admission.
   * @param provisionalId the node's id before admission (configured or generated); later
   *   hellos send it again, so an identity policy derives the same id every time
   * @throws what the admission client throws (`AUTHENTICATION_FAILED`, `ADMISSION_REJECTED`, …)
   */
  async admit(provisionalId: string, signal?: AbortSignal): Promise<Welcome> {
    this.#provisionalId = provisionalId;
    const admission = await this.#hello(signal);
    this.#confirmedId = admission.welcome.systemId;
    this.#fresh = admission;
    return admission.welcome;
  }

  async dial(request: DialRequest): Promise<Connector> {
    if (this.#closed) throw new FameError('CONNECTOR_CLOSED', 'the admission dialer is closed');
    this.#provisionalId ??= request.systemId;
    const admission = this.#fresh ?? (await this.#hello(request.signal));
    this.#fresh = undefined;
    const { welcome } = admission;
    this.#confirmedId ??= welcome.systemId;
    if (welcome.systemId !== this.#confirmedId || welcome.systemId !== request.systemId) {
      throw new FameError(
        'ADMISSION_FAILED',
        `admitted as ${JSON.stringify(welcome.systemId)}, but this node is ${JSON.stringify(request.systemId)}: a node keeps the id of its first admission`,
      );
    }
    const grant = selectAttachGrant(welcome.connectionGrants, this.grantTypes);
    if (grant === undefined) {
      const offered = welcome.connectionGrants.map((g) => `${g.type}(${g.purpose})`).join(', ') || 'none';
      throw new FameError(
        'ADMISSION_FAILED',
        `the welcome has no node.attach grant this node can dial (it dials ${this.grantTypes.join(', ')}; offered: ${offered})`,
      );
    }
    let dialer = this.#dialers.get(grant);
    if (dialer === undefined) {
      dialer = this.#options.dialers[grant.type]!(grant, admission.authOf(grant));
      this.#dialers.set(grant, dialer);
    }
    this.#transport = dialer.transport;
    const connector = await dialer.dial(request);
    this.#scheduleRenewal(connector, welcome);
    return connector;
  }

  /** Stops the renewal timer; later dials fail. */
  close(): void {
    this.#closed = true;
    if (this.#renewal !== undefined) clearTimeout(this.#renewal);
    this.#renewal = undefined;
  }

  async #hello(signal: AbortSignal | undefined): Promise<Admission> {
    const admission = await this.#options.client.hello({
      systemId: this.#provisionalId ?? '',
      instanceId: randomId(),
      ...(this.#options.logicals !== undefined && { logicals: this.#options.logicals }),
      ...(this.#options.capabilities !== undefined && { capabilities: this.#options.capabilities }),
      ...(signal !== undefined && { signal }),
    });
    this.#current = admission.welcome;
    this.#logger.debug({ systemId: admission.welcome.systemId, expiresAt: admission.welcome.expiresAt?.toISOString() }, 'admitted');
    return admission;
  }

  #scheduleRenewal(connector: Connector, welcome: Welcome): void {
    if (this.#renewal !== undefined) clearTimeout(this.#renewal);
    this.#renewal = undefined;
    if (welcome.expiresAt === undefined) return;
    const remaining = welcome.expiresAt.getTime() - Date.now();
    const delay = Math.max(remaining - this.#renewBeforeMs, remaining / 2, MIN_RENEW_DELAY_MS);
    // setTimeout holds at most ~24.8 days; welcomes last at most 7 days.
    this.#renewal = setTimeout(
      () => {
        this.#renewal = undefined;
        if (connector.state !== 'open') return;
        this.#logger.info({ expiresAt: welcome.expiresAt?.toISOString() }, 'admission expiring: reconnecting to be admitted again');
        void connector.close(1000, 'admission expiring');
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    unrefTimer(this.#renewal);
  }
}
