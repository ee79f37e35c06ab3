import {
  ConnectorClosedError,
  randomId,
  type CloseInfo,
  type Connector,
  type ConnectorHandlers,
  type ConnectorInfo,
  type ConnectorState,
  type WireMessage,
  scheduleMacrotask,
} from '@naylence/core';

export interface MemoryConnectorOptions {
  /** Bytes queued towards the peer above which `send` returns false. Default 1 MiB. */
  readonly highWaterMark?: number;
}

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/** Bytes of a message; a string (links send bytes) is counted by its length, without scanning it. */
function sizeOf(message: WireMessage): number {
  return typeof message === 'string' ? message.length : message.byteLength;
}

/**
 * One end of an in-process link. Messages are delivered asynchronously (a macrotask later, in
 * batches, like socket reads), in order, with the same close and back-pressure
 * behaviour a socket has, so everything above it runs exactly as over a network.
 */
export class MemoryConnector implements Connector {
  readonly id = randomId();
  readonly info: ConnectorInfo;
  #state: ConnectorState = 'open';
  #peer!: MemoryConnector;
  #handlers: ConnectorHandlers | undefined;
  readonly #inbox: WireMessage[] = [];
  #inboxBytes = 0;
  #scheduled = false;
  #pendingClose: CloseInfo | undefined;
  #closed: CloseInfo | undefined;
  readonly #highWaterMark: number;
  #drainWaiters: { resolve(): void; reject(error: Error): void }[] = [];

  constructor(label: string, options?: MemoryConnectorOptions) {
    // Strings cross a process for free: links hand this transport text, not bytes.
    this.info = { transport: 'memory', localAddress: label, messageForm: 'text' };
    this.#highWaterMark = options?.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  }

  /** Pairs two ends; use {@link createMemoryConnectorPair}. */
  static link(a: MemoryConnector, b: MemoryConnector): void {
    a.#peer = b;
    b.#peer = a;
  }

  get state(): ConnectorState {
    return this.#state;
  }

  start(handlers: ConnectorHandlers): void {
    if (this.#handlers) throw new Error('MemoryConnector.start called twice');
    this.#handlers = handlers;
    if (this.#closed) handlers.onClose(this.#closed);
    else this.#schedule();
  }

  send(message: WireMessage): boolean {
    if (this.#state !== 'open') throw new ConnectorClosedError(`memory link ${this.id} is ${this.#state}`, this.#closed?.code);
    // Like a socket, the connector owns a message once it is sent (core's Connector contract):
    // it is handed over as is, not copied.
    const peer = this.#peer;
    peer.#inbox.push(message);
    peer.#inboxBytes += sizeOf(message);
    peer.#schedule();
    return peer.#inboxBytes < this.#highWaterMark;
  }

  drain(): Promise<void> {
    if (this.#state !== 'open')
      return Promise.reject(new ConnectorClosedError(`memory link ${this.id} is ${this.#state}`, this.#closed?.code));
    if (this.#peer.#inboxBytes < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (this.#state !== 'open') return Promise.resolve();
    this.#state = 'closed';
    const peer = this.#peer;
    // The peer first reads what was already sent, then sees the close.
    if (peer.#state === 'open') {
      peer.#state = 'closing';
      peer.#pendingClose = { code, reason, initiator: 'remote' };
      peer.#schedule();
    }
    this.#finish({ code, reason, initiator: 'local' });
    return Promise.resolve();
  }

  #schedule(): void {
    if (this.#scheduled || !this.#handlers) return;
    this.#scheduled = true;
    scheduleMacrotask(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const handlers = this.#handlers;
    if (!handlers || this.#closed) return;
    const batch = this.#inbox.splice(0);
    this.#inboxBytes = 0;
    this.#peer.#notifyDrain();
    for (const message of batch) {
      if (this.#closed) return;
      handlers.onMessage(message);
    }
    if (this.#pendingClose && this.#inbox.length === 0) {
      this.#state = 'closed';
      this.#finish(this.#pendingClose);
    }
  }

  #notifyDrain(): void {
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  #finish(info: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = info;
    this.#inbox.length = 0;
    this.#inboxBytes = 0;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w.reject(new ConnectorClosedError(`memory link ${this.id} closed`, info.code));
    this.#peer.#notifyDrain();
    this.#handlers?.onClose(info);
  }
}

/** Two connected in-memory connector ends. */
export function createMemoryConnectorPair(options?: MemoryConnectorOptions): [MemoryConnector, MemoryConnector] {
  const a = new MemoryConnector('memory:a', options);
  const b = new MemoryConnector('memory:b', options);
  MemoryConnector.link(a, b);
  return [a, b];
}
