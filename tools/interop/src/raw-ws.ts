/**
 * Raw WebSocket peers for transport tests: a client that speaks envelopes by hand (or sends
 * garbage), and a fake parent that attaches children but never answers their heartbeats.
 * Both are AsyncDisposable.
 */
import type { AddressInfo } from 'node:net';
import {
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  randomId,
  type EnvelopeInit,
  type FameEnvelope,
  type FameFrame,
} from '@naylence/core';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A hand-driven child link: `attach()`, `send()` anything, read `envelopes`, await `closed`. */
export class RawClient implements AsyncDisposable {
  readonly ws: WebSocket;
  readonly systemId: string;
  /** Envelopes received (undecodable messages are kept as strings in `other`). */
  readonly envelopes: FameEnvelope[] = [];
  readonly other: string[] = [];
  /** Messages received, kept or not. */
  received = 0;
  /** Keep (and decode) what arrives; false only counts it. */
  keep = true;
  readonly closed: Promise<Closed>;
  readonly #opened: Promise<void>;
  #waiters = new Set<() => void>();

  /**
   * @param url the attach URL without the system id
   * @param token a bearer token, offered as the subprotocols `["bearer", token]`
   */
  constructor(url: string, systemId = `raw-${randomId(8)}`, token?: string) {
    this.systemId = systemId;
    this.ws = new WebSocket(`${url}/${systemId}`, token === undefined ? undefined : ['bearer', token]);
    this.ws.on('message', (data: RawData) => {
      this.received += 1;
      if (!this.keep) return;
      const text = (data as Buffer).toString('utf8');
      try {
        this.envelopes.push(decodeEnvelope(text));
      } catch {
        this.other.push(text);
      }
      for (const waiter of [...this.#waiters]) waiter();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
    );
    this.#opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  open(): Promise<void> {
    return this.#opened;
  }

  /** Send NodeAttach and wait for the NodeAttachAck. */
  async attach(originType: 'downstream' | 'peer' = 'downstream'): Promise<FameEnvelope> {
    await this.open();
    const corrId = randomId();
    this.sendEnvelope(
      {
        type: 'NodeAttach',
        originType,
        systemId: this.systemId,
        instanceId: randomId(),
        acceptedLogicals: ['*'],
      },
      corrId,
    );
    return this.next((e) => e.frame.type === 'NodeAttachAck' && e.corrId === corrId);
  }

  /** Send one envelope carrying `frame` as a binary message. */
  sendEnvelope(frame: FameFrame, corrId = randomId()): FameEnvelope {
    const envelope = createEnvelope({ corrId, frame });
    this.ws.send(encodeEnvelope(envelope), { binary: true });
    return envelope;
  }

  /** Send one envelope built from `init` (any headers) as a binary message. */
  send(init: EnvelopeInit): FameEnvelope {
    const envelope = createEnvelope(init);
    this.ws.send(encodeEnvelope(envelope), { binary: true });
    return envelope;
  }

  /** Send an AddressBind and wait for its ack. */
  async bind(address: string): Promise<FameEnvelope> {
    const request = this.sendEnvelope({ type: 'AddressBind', address });
    return this.next((e) => e.frame.type === 'AddressBindAck' && e.corrId === request.corrId);
  }

  /** Send raw bytes or text, exactly as given. */
  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** The first received envelope matching `predicate` (waits for it; a hang guard of 10 s). */
  next(predicate: (envelope: FameEnvelope) => boolean, timeoutMs = 10_000): Promise<FameEnvelope> {
    return waitFor(
      this.#waiters,
      () => this.envelopes.find(predicate),
      timeoutMs,
      `${this.systemId}: no matching envelope within ${timeoutMs} ms`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    await this.closed;
  }
}

/** One link accepted by {@link SilentParent}. */
export interface ParentLink {
  readonly systemId: string;
  readonly received: FameEnvelope[];
  readonly closed: Promise<Closed>;
}

/**
 * A fake parent sentinel: acknowledges NodeAttach (and binds), then never answers anything
 * else, heartbeats included, like a parent whose process hangs.
 */
export class SilentParent implements AsyncDisposable {
  readonly links: ParentLink[] = [];
  #server: WebSocketServer | undefined;
  #waiters = new Set<() => void>();

  async listen(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.#server = server;
    server.on('connection', (ws, request) => {
      const systemId = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
      const received: FameEnvelope[] = [];
      const closed = new Promise<Closed>((resolve) =>
        ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
      );
      this.links.push({ systemId, received, closed });
      ws.on('message', (data: RawData) => {
        const envelope = decodeEnvelope((data as Buffer).toString('utf8'));
        received.push(envelope);
        const frame = envelope.frame;
        if (frame.type === 'NodeAttach') {
          const ack = createEnvelope({
            ...(envelope.corrId !== undefined && { corrId: envelope.corrId }),
            frame: {
              type: 'NodeAttachAck',
              ok: true,
              refId: envelope.id,
              targetSystemId: 'silent-parent',
              assignedPath: `/silent-parent/${frame.systemId}`,
              targetPhysicalPath: '/silent-parent',
              routingEpoch: randomId(),
            },
          });
          ws.send(encodeEnvelope(ack), { binary: true });
        }
        // Everything else, NodeHeartbeat included, goes unanswered.
        for (const waiter of [...this.#waiters]) waiter();
      });
      for (const waiter of [...this.#waiters]) waiter();
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/fame/v1/attach/ws/downstream`;
  }

  /** Resolves once `count` links were accepted. */
  async untilLinks(count: number, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      this.#waiters,
      () => (this.links.length >= count ? true : undefined),
      timeoutMs,
      `fewer than ${count} links within ${timeoutMs} ms`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const server = this.#server;
    if (!server) return;
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Resolves with the first defined value of `probe`, checked now and whenever something calls
 * the waiters in `waiters`; rejects with `message` after `timeoutMs`.
 */
function waitFor<T>(waiters: Set<() => void>, probe: () => T | undefined, timeoutMs: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const value = probe();
      if (value !== undefined) finish(() => resolve(value));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(message))), timeoutMs);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      waiters.delete(check);
      settle();
    };
    waiters.add(check);
    check();
  });
}
