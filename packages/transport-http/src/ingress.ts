import {
  clipText,
  decodeEnvelope,
  isFameError,
  LogLimiter,
  type AuthorizationContext,
  type Authorizer,
  type FameEnvelope,
  type ListenerHost,
  type Logger,
  type NodeAttachFrame,
  type OriginType,
  type TokenProvider,
} from '@naylence/core';
import { parseCloseNotice } from './close-notice.js';
import { HttpConnector, linkOptionsOf, type HttpLinkOptions } from './connector.js';
import { callbackCredentials, selectCallbackGrant, type GrantAuth } from './grants.js';
import type { Arrival, OfferResult } from './inbox.js';
import { HEALTH_BODY, methodNotAllowed, noCallbackGrant, RESPONSES, withLink, type IngressResponse } from './responses.js';
import { IngressRoutes, parseSeq, type IngressRoute } from './route.js';
import { IngressGuard, PENDING_LINK_TIMEOUT_REASON, type IngressLimits, type IngressStats } from './ingress-guard.js';

/** One request to the ingress, as any HTTP server framework can describe it. */
export interface IngressRequest {
  readonly method: string;
  /** Path of the request target, without query. */
  readonly path: string;
  /** The `Authorization` header as sent; undefined when absent. */
  readonly authorization?: string | undefined;
  /** The `x-fame-link` and `x-fame-seq` headers (our ordering extension), when present. */
  readonly linkId?: string | undefined;
  readonly seq?: string | undefined;
  readonly body?: Uint8Array | undefined;
  readonly remoteAddress?: string | undefined;
}

export interface IngressOptions extends HttpLinkOptions, IngressLimits {
  /** Authenticates the POSTs of children and peers; absent = open. */
  readonly authorizer?: Authorizer | undefined;
  /** Largest envelope accepted in a request body. */
  readonly maxBodyBytes: number;
  /** Credentials for callback grant auth types this package does not know (e.g. OAuth2 providers). */
  readonly resolveCallbackAuth?: ((auth: GrantAuth) => TokenProvider | undefined) | undefined;
  /** Vets the callback URL a child asks its parent to POST to. Default: any `http:`/`https:` URL. */
  readonly allowCallbackUrl?: ((url: URL) => boolean) | undefined;
  /** Replaced by `logger` (the setter) once the listener knows its node. */
  readonly logger: Logger;
}

interface ChildLink {
  readonly connector: HttpConnector;
  readonly originType: OriginType;
  /** The link of the same id this one replaced, while that one is open: it takes the id again if this one closes first. */
  previous: ChildLink | undefined;
}

interface Upstream {
  readonly connector: HttpConnector;
  readonly authorizer: Authorizer | undefined;
}

type Authentication =
  { readonly ok: true; readonly context: AuthorizationContext | undefined } | { readonly ok: false; readonly response: IngressResponse };

/** The authentication of every request to an ingress without an authorizer (taken without an `await`). */
const OPEN: Authentication = { ok: true, context: undefined };
const CHILD_METHODS = 'POST, DELETE';

/**
 * The HTTP ingress of one node, independent of the server framework (the `node:http` listener
 * and the Fastify plugin both translate into {@link handle}): the routes of protocol-core §4.9,
 * the links of children that attached over HTTP (one {@link HttpConnector} per child, pairing
 * its POSTs with POSTs to its callback URL), and the upstream links of our own dialers.
 */
export class Ingress {
  readonly #options: IngressOptions;
  #logger: Logger;
  readonly #limiter = new LogLimiter();
  readonly #guard: IngressGuard;
  readonly #children = new Map<string, ChildLink>();
  readonly #upstreams = new Map<string, Upstream>();
  readonly #routes = new IngressRoutes();
  /** The `202 message_received` of each link using our ordering extension (it echoes the link id). */
  readonly #received = new WeakMap<HttpConnector, IngressResponse>();
  /** Registered upstream links, oldest first: requests without `x-fame-link` (reference parents) go to the newest. */
  readonly #upstreamOrder: Upstream[] = [];
  #host: ListenerHost | undefined;
  #closed = false;

  constructor(options: IngressOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#guard = new IngressGuard(options, (connector) => {
      this.#limiter.log(
        this.#logger,
        'warn',
        'attach-timeout',
        { remoteAddress: connector.info.remoteAddress },
        'closed an HTTP link whose callback accepted nothing in time',
      );
      connector.terminate(1000, PENDING_LINK_TIMEOUT_REASON);
    });
  }

  set logger(logger: Logger) {
    this.#logger = logger;
  }

  /** What the ingress refused or cut off so far, and the links open now. */
  get stats(): IngressStats {
    return this.#guard.stats;
  }

  /** The node whose children attach here; until set, child routes answer 503. */
  set host(host: ListenerHost) {
    this.#host = host;
  }

  /** Open links: children attached here plus our registered upstream links. */
  get linkCount(): number {
    return this.#children.size + this.#upstreamOrder.length;
  }

  /** Answers one request. Never throws. */
  async handle(request: IngressRequest): Promise<IngressResponse> {
    const route = this.#routes.parse(request.path);
    try {
      switch (route.kind) {
        case 'health':
          return request.method === 'GET' || request.method === 'HEAD' ? { status: 200, body: HEALTH_BODY } : methodNotAllowed('GET, HEAD');
        case 'child':
          if (request.method === 'POST') return await this.#childPost(route, request);
          if (request.method === 'DELETE') return await this.#childDelete(route, request);
          return methodNotAllowed(CHILD_METHODS);
        case 'upstream':
          if (request.method === 'POST' || request.method === 'DELETE') return await this.#upstream(request);
          return methodNotAllowed(CHILD_METHODS);
        default:
          return RESPONSES.notFound;
      }
    } catch (error) {
      this.#logger.error({ err: error, path: clipText(request.path) }, 'HTTP ingress failed');
      return RESPONSES.internal;
    }
  }

  /**
   * Routes the parent's requests to `/fame/v1/ingress/upstream` carrying `connector.linkId` (or
   * none: reference parents) to `connector`, authenticated by `authorizer`. Returns the
   * function that removes the registration.
   */
  registerUpstream(connector: HttpConnector, authorizer: Authorizer | undefined): () => void {
    const entry: Upstream = { connector, authorizer };
    if (connector.linkId !== undefined) this.#upstreams.set(connector.linkId, entry);
    this.#upstreamOrder.push(entry);
    return () => {
      if (connector.linkId !== undefined && this.#upstreams.get(connector.linkId) === entry) this.#upstreams.delete(connector.linkId);
      const index = this.#upstreamOrder.indexOf(entry);
      if (index !== -1) this.#upstreamOrder.splice(index, 1);
    };
  }

  /** Closes every link (children and upstreams) with `code`; later requests get 503. */
  async close(code: number, reason: string): Promise<void> {
    this.#closed = true;
    this.#guard.stop();
    const connectors = [...[...this.#children.values()].map((c) => c.connector), ...this.#upstreamOrder.map((u) => u.connector)];
    await Promise.all(connectors.map((c) => c.close(code, reason)));
  }

  async #childPost(route: IngressRoute & { kind: 'child' }, request: IngressRequest): Promise<IngressResponse> {
    const host = this.#host;
    if (host === undefined || this.#closed) return RESPONSES.notInitialized;
    if (route.systemId === host.systemId) return this.#refuse('self-attach', request, RESPONSES.selfAttach);
    const auth = this.#options.authorizer === undefined ? OPEN : await this.#authenticate(this.#options.authorizer, request);
    if (!auth.ok) return auth.response;
    const envelope = this.#decode(request);
    if (!('frame' in envelope)) return envelope;
    if (envelope.frame.type === 'NodeAttach') {
      return this.#attach(route, request, envelope as FameEnvelope<NodeAttachFrame>, auth.context, host);
    }
    const link = this.#children.get(route.systemId);
    if (link === undefined || link.originType !== route.originType) return this.#refuse('no-link', request, RESPONSES.noConnection);
    return this.#offer(link.connector, request, messageOf(request, envelope));
  }

  #attach(
    route: IngressRoute & { kind: 'child' },
    request: IngressRequest,
    envelope: FameEnvelope<NodeAttachFrame>,
    context: AuthorizationContext | undefined,
    host: ListenerHost,
  ): IngressResponse {
    const frame = envelope.frame;
    if (frame.systemId !== route.systemId) return this.#refuse('child-id-mismatch', request, RESPONSES.childIdMismatch);
    if (!host.isReady()) return RESPONSES.notReady;
    // The NodeAttach itself is vetted by the node (the authorizer's `authorizeAttach`, then its
    // security component), as on every transport: a refusal is a NodeAttachAck ok:false on the link.
    const grant = selectCallbackGrant(frame.callbackGrants);
    if (grant === undefined) return this.#refuse('no-callback', request, noCallbackGrant(route.systemId));
    if (this.#options.allowCallbackUrl !== undefined && !this.#options.allowCallbackUrl(grant.url)) {
      return this.#refuse('callback-url', request, RESPONSES.callbackNotAllowed);
    }
    const credentials = callbackCredentials(grant.auth, this.#options.resolveCallbackAuth);
    if (credentials === undefined) return this.#refuse('callback-auth', request, RESPONSES.unsupportedCallbackAuth);
    if (!this.#guard.hasRoomForPending()) return this.#refuse('pending-cap', request, RESPONSES.tooManyAttaches);
    const address = request.remoteAddress ?? '';
    if (!this.#guard.links.tryAdmit(address)) {
      return this.#refuse('link-cap', request, RESPONSES.tooManyLinks, this.#guard.links.describe(request, 'links'));
    }

    const systemId = route.systemId;
    const connector: HttpConnector = new HttpConnector({
      ...linkOptionsOf(this.#options),
      url: grant.url,
      tokenProvider: credentials.tokenProvider,
      headerName: credentials.headerName,
      linkId: request.linkId,
      peerOrdered: request.linkId !== undefined,
      logger: this.#logger.child({ child: clipText(systemId), originType: route.originType }),
      remoteAddress: request.remoteAddress,
      onClosed: (closed) => {
        this.#guard.links.release(address);
        this.#forget(systemId, closed);
      },
    });
    // The previous link of this id (if any) stays until the node replaces it, and takes the
    // id's requests again if this attach fails.
    const current = this.#children.get(systemId);
    this.#children.set(systemId, { connector, originType: route.originType, previous: current });
    this.#guard.addPending(connector);
    const result = this.#offer(connector, request, messageOf(request, envelope));
    try {
      host.accept({ connector, originType: route.originType, systemId, ...(context !== undefined && { authorization: context }) });
    } catch (error) {
      this.#logger.error({ err: error, systemId: clipText(systemId) }, 'host refused the link');
      void connector.close(1011, 'Internal error');
      return RESPONSES.internal;
    }
    this.#logger.debug(
      { systemId: clipText(systemId), originType: route.originType, callback: clipText(grant.url.host) },
      'HTTP link accepted',
    );
    return result.status === 202 ? withLink(RESPONSES.attachInProgress, request.linkId) : result;
  }

  /** Drops `closed` from the links of `systemId`; the link it replaced (if still open) takes over again. */
  #forget(systemId: string, closed: HttpConnector): void {
    let link = this.#children.get(systemId);
    let newer: ChildLink | undefined;
    while (link !== undefined && link.connector !== closed) {
      newer = link;
      link = link.previous;
    }
    if (link === undefined) return;
    let previous = link.previous;
    while (previous !== undefined && previous.connector.state !== 'open') previous = previous.previous;
    if (newer !== undefined) newer.previous = previous;
    else if (previous !== undefined) this.#children.set(systemId, previous);
    else this.#children.delete(systemId);
  }

  async #childDelete(route: IngressRoute & { kind: 'child' }, request: IngressRequest): Promise<IngressResponse> {
    const auth = this.#options.authorizer === undefined ? OPEN : await this.#authenticate(this.#options.authorizer, request);
    if (!auth.ok) return auth.response;
    const link = this.#children.get(route.systemId);
    if (link === undefined || request.linkId === undefined || link.connector.linkId !== request.linkId) return RESPONSES.notFound;
    return this.#close(link.connector, request);
  }

  async #upstream(request: IngressRequest): Promise<IngressResponse> {
    if (this.#closed) return RESPONSES.noUpstream;
    const upstream = request.linkId !== undefined ? this.#upstreams.get(request.linkId) : this.#upstreamOrder.at(-1);
    if (upstream === undefined) {
      return request.linkId !== undefined ? this.#refuse('stale-link', request, RESPONSES.staleLink) : RESPONSES.noUpstream;
    }
    const auth = upstream.authorizer === undefined ? OPEN : await this.#authenticate(upstream.authorizer, request);
    if (!auth.ok) return auth.response;
    if (request.method === 'DELETE') return this.#close(upstream.connector, request);
    const envelope = this.#decode(request);
    if (!('frame' in envelope)) return envelope;
    return this.#offer(upstream.connector, request, messageOf(request, envelope));
  }

  #offer(connector: HttpConnector, request: IngressRequest, arrival: Arrival): IngressResponse {
    // A request of an older link of this id (its sender was replaced by a newer attach).
    if (request.linkId !== undefined && request.linkId !== connector.linkId)
      return this.#refuse('stale-link', request, RESPONSES.staleLink);
    const seq = parseSeq(request.seq);
    const result: OfferResult = connector.offer(seq, arrival);
    if (result === 'busy') {
      this.#limiter.log(
        this.#logger,
        'warn',
        'busy',
        { remoteAddress: request.remoteAddress, path: clipText(request.path) },
        'receive queue full: answered 429 receiver busy',
      );
      return RESPONSES.busy;
    }
    if (arrival.kind === 'close') return withLink(RESPONSES.closed, request.linkId);
    if (request.linkId === undefined) return RESPONSES.messageReceived;
    // The link's id (checked above): one answer per link, built once.
    let response = this.#received.get(connector);
    if (response === undefined) {
      response = withLink(RESPONSES.messageReceived, request.linkId);
      this.#received.set(connector, response);
    }
    return response;
  }

  #close(connector: HttpConnector, request: IngressRequest): IngressResponse {
    const notice = parseCloseNotice(request.body);
    if (notice === undefined) return this.#refuse('invalid-close', request, RESPONSES.invalidClose);
    return this.#offer(connector, request, { kind: 'close', ...notice });
  }

  #decode(request: IngressRequest): FameEnvelope | IngressResponse {
    const body = request.body;
    if (body === undefined || body.byteLength === 0) return this.#refuse('invalid-body', request, RESPONSES.invalidBody);
    try {
      return decodeEnvelope(body, { maxBytes: this.#options.maxBodyBytes });
    } catch (error) {
      if (isFameError(error, 'MESSAGE_TOO_LARGE')) return this.#refuse('too-large', request, RESPONSES.tooLarge);
      return this.#refuse('invalid-body', request, RESPONSES.invalidBody, error);
    }
  }

  /**
   * Authenticates a request with `authorizer`. An address whose authentication failed recently
   * waits first (its requests are spaced out, as WebSocket upgrades are), or is refused with 429
   * when it would wait past the limit: guessing tokens gets slow.
   */
  async #authenticate(authorizer: Authorizer, request: IngressRequest): Promise<Authentication> {
    const address = request.remoteAddress ?? '';
    const throttle = this.#guard.throttle;
    const delayMs = throttle.delayFor(address);
    if (delayMs < 0) return { ok: false, response: this.#refuse('auth-throttled', request, RESPONSES.authThrottled) };
    if (delayMs > 0) {
      this.#limiter.log(
        this.#logger,
        'info',
        'auth-delayed',
        { remoteAddress: address, delayMs },
        'delaying a request after failed authentication from its address',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    let context: AuthorizationContext | undefined;
    try {
      context = await authorizer.authenticate(request.authorization);
    } catch (error) {
      this.#limiter.log(this.#logger, 'error', 'authorizer-failed', { err: error, path: clipText(request.path) }, 'authorizer failed');
      return { ok: false, response: RESPONSES.internal };
    }
    if (context === undefined || !context.authenticated) {
      throttle.failed(address);
      this.#guard.counts.authFailures += 1;
      return { ok: false, response: this.#refuse('unauthenticated', request, RESPONSES.authenticationFailed) };
    }
    throttle.succeeded(address);
    return { ok: true, context };
  }

  /** Logs a refusal (rate-limited per kind, peer input clipped) and returns `response`. */
  #refuse(kind: string, request: IngressRequest, response: IngressResponse, detail?: unknown): IngressResponse {
    const why = detail instanceof Error ? detail.message : typeof detail === 'string' ? detail : undefined;
    this.#limiter.log(
      this.#logger,
      'warn',
      kind,
      {
        path: clipText(request.path),
        remoteAddress: request.remoteAddress,
        status: response.status,
        ...(why !== undefined && { err: clipText(why, 200) }),
      },
      `HTTP ingress refused a request: ${kind}`,
    );
    return response;
  }
}

/** The arrival of a POST whose body decoded to `envelope`. */
function messageOf(request: IngressRequest, envelope: FameEnvelope): Arrival {
  const body = request.body!;
  return { kind: 'message', message: body, bytes: body.byteLength, envelope };
}
