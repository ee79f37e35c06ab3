// Test fixtures (not part of the package API; `*.test.*` files are left out of the tarball).
// Everything that holds a socket or a server is an AsyncDisposable, for `await using`.
// The recording host and the loopback helpers are shared with the WebSocket transport's tests.
import { TestHost } from '@naylence-tools/transport-compliance';
import {
  createEnvelope,
  decodeEnvelope,
  serializeEnvelope,
  type Connector,
  type ConnectorHandlers,
  type FameEnvelope,
  type IncomingConnection,
  type WireMessage,
} from '@naylence/core';
import type { HttpConnector } from './connector.js';
import { HttpDialer, type HttpDialerOptions } from './dialer.js';
import { HttpListener, type HttpListenerOptions } from './listener.js';

export { TestHost, startHttpServer, REFUSED_PORT } from '@naylence-tools/transport-compliance';

/** A NodeAttach envelope for `systemId` (the first message of every HTTP link). */
export function nodeAttach(systemId: string, extra: Record<string, unknown> = {}): FameEnvelope {
  return createEnvelope({ frame: { type: 'NodeAttach', systemId, instanceId: 'instance-1', originType: 'downstream', ...extra } });
}

/** A Data envelope carrying `payload`. */
export function dataEnvelope(payload: unknown): string {
  return serializeEnvelope(createEnvelope({ frame: { type: 'Data', payload } }));
}

/** A parent listener (with a {@link TestHost}) and a child's callback listener, both on 127.0.0.1. */
export interface HttpPair extends AsyncDisposable {
  readonly parent: HttpListener;
  readonly child: HttpListener;
  readonly host: TestHost;
  /** `http://127.0.0.1:{port}/fame/v1/ingress/downstream` of the parent. */
  readonly url: string;
  /** `http://127.0.0.1:{port}` of the parent. */
  readonly base: string;
  dialer(options?: Partial<HttpDialerOptions>): HttpDialer;
}

export async function startHttpPair(
  options: { parent?: HttpListenerOptions; child?: HttpListenerOptions; host?: TestHost } = {},
): Promise<HttpPair> {
  const host = options.host ?? new TestHost();
  const parent = new HttpListener({ host: '127.0.0.1', ...options.parent });
  const child = new HttpListener({ host: '127.0.0.1', ...options.child });
  const { url } = await parent.listen(host);
  await child.start();
  return {
    parent,
    child,
    host,
    url,
    base: new URL(url).origin,
    dialer: (more = {}) => new HttpDialer({ url, callback: child, ...more }),
    [Symbol.asyncDispose]: async () => {
      await Promise.all([parent.close(), child.close()]);
    },
  };
}

/** Dials and attaches one link as the fabric would: `child` is the dialed end, `parent` the end the listener accepted. */
export async function attachLink(
  pair: HttpPair,
  systemId = 'child',
  dialer = pair.dialer(),
): Promise<{ child: HttpConnector; parent: Connector; link: IncomingConnection }> {
  const accepted = pair.host.nextLink();
  const child = await dialer.dial({ systemId, originType: 'downstream' });
  // What the fabric does: the NodeAttach carries the link's callback grant.
  child.send(serializeEnvelope(nodeAttach(systemId, child.attachFields())));
  const link = await accepted;
  return { child, parent: link.connector, link };
}

function text(message: WireMessage): string {
  return typeof message === 'string' ? message : new TextDecoder().decode(message);
}

/**
 * The compliance suite sends arbitrary text, but an HTTP listener takes only envelopes (it
 * validates every body, protocol-core §4.9) and opens a link only on a NodeAttach. This
 * adapter carries each test message as the payload of a Data envelope and hides the link's
 * NodeAttach from the accepting end; everything else (order, buffering, back-pressure, close)
 * is the real connector's.
 */
export class EnvelopeCarrier implements Connector {
  readonly #inner: Connector;
  #skipFirst: boolean;

  constructor(inner: Connector, skipFirst: boolean) {
    this.#inner = inner;
    this.#skipFirst = skipFirst;
  }

  get id(): string {
    return this.#inner.id;
  }
  get state(): Connector['state'] {
    return this.#inner.state;
  }
  get info(): Connector['info'] {
    return this.#inner.info;
  }

  start(handlers: ConnectorHandlers): void {
    this.#inner.start({
      onMessage: (message) => {
        if (this.#skipFirst) {
          this.#skipFirst = false;
          return;
        }
        handlers.onMessage((decodeEnvelope(message).frame as { payload: string }).payload);
      },
      onClose: (info) => handlers.onClose(info),
    });
  }

  send(message: WireMessage): boolean {
    return this.#inner.send(dataEnvelope(text(message)));
  }

  drain(): Promise<void> {
    return this.#inner.drain();
  }

  close(code?: number, reason?: string): Promise<void> {
    return this.#inner.close(code, reason);
  }
}

/** POSTs (or DELETEs) `body` to `url` with undici's global fetch; returns status, body text and headers. */
export async function post(
  url: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined && { body: body as BodyInit }),
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}
