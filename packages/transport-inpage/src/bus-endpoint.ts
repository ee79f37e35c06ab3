import type { Logger } from '@naylence/core';
import { parseBusMessage, type BusMessage } from './bus-message.js';
import type { Bus, BusPort } from './buses.js';

/** A link end (or a dial waiting for its accept) that receives the messages addressed to it. */
export interface BusEndReceiver {
  receive(message: BusMessage): void;
  /** The page is going away (`pagehide`): tell the other end now rather than let its heartbeats find out. */
  goingAway?(): void;
}

/** `pagehide` of the window or worker this runs in, where there is one (not on Node). */
function onPageHide(listener: () => void): (() => void) | undefined {
  const target = globalThis as {
    addEventListener?: EventTarget['addEventListener'];
    removeEventListener?: EventTarget['removeEventListener'];
  };
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function' || !('onpagehide' in globalThis)) {
    return undefined;
  }
  target.addEventListener('pagehide', listener);
  return () => target.removeEventListener?.('pagehide', listener);
}

/**
 * One port on a bus channel, shared by the link ends of a listener (or owned by one dialed
 * link): it routes each message addressed to one of its ends (`targetId`) to that end and hands
 * `open` requests to `onOpen`. Everything else on the channel is other nodes' traffic and is
 * ignored without a word.
 */
export class BusEndpoint {
  readonly transport: string;
  readonly #port: BusPort;
  readonly #ends = new Map<string, BusEndReceiver>();
  readonly #onOpen: ((message: BusMessage) => void) | undefined;
  readonly #logger: Logger;
  readonly #stopWatchingPage: (() => void) | undefined;
  #closed = false;

  /** @throws ConfigError when this platform lacks the bus */
  constructor(bus: Bus, channelName: string, logger: Logger, onOpen?: (message: BusMessage) => void) {
    this.transport = bus.transport;
    this.#logger = logger;
    this.#onOpen = onOpen;
    this.#port = bus.open(channelName, (data) => this.#receive(data));
    // A closed tab or frame sends nothing more: its links say goodbye while they still can.
    this.#stopWatchingPage = onPageHide(() => {
      for (const end of [...this.#ends.values()]) end.goingAway?.();
    });
  }

  get size(): number {
    return this.#ends.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  post(message: BusMessage): void {
    if (!this.#closed) this.#port.post(message);
  }

  attach(id: string, end: BusEndReceiver): void {
    this.#ends.set(id, end);
  }

  detach(id: string, end: BusEndReceiver): void {
    if (this.#ends.get(id) === end) this.#ends.delete(id);
  }

  close(): void {
    this.#closed = true;
    this.#ends.clear();
    this.#stopWatchingPage?.();
    this.#port.close();
  }

  #receive(data: unknown): void {
    const message = parseBusMessage(data);
    if (message === undefined) return;
    try {
      if (message.targetId !== undefined) this.#ends.get(message.targetId)?.receive(message);
      else if (message.ctl?.type === 'open') this.#onOpen?.(message);
    } catch (error) {
      // A bus delivers synchronously to its listeners: nothing may escape into it.
      this.#logger.error({ err: error }, 'bus message handler threw');
    }
  }
}
