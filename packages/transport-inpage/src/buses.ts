import { ConfigError } from '@naylence/core';
import type { BusMessage } from './bus-message.js';

/** One open connection to a named channel of a bus. */
export interface BusPort {
  /** Hands `message` to every other port on the channel (this port never receives it). */
  post(message: BusMessage): void;
  close(): void;
}

/**
 * A message bus shared by link ends: the reference's in-page event bus (one realm) or a
 * `BroadcastChannel` (every same-origin window, frame and worker). Everything else about a link
 * (handshake, credit, close) is the same on both.
 */
export interface Bus {
  /** Transport name of the links over it (`inpage`, `broadcast-channel`). */
  readonly transport: string;
  /**
   * Opens a port on `channelName`; `receive` gets every message other ports post there, in
   * order, unparsed (it must not throw).
   * @throws ConfigError when this platform lacks the bus
   */
  open(channelName: string, receive: (data: unknown) => void): BusPort;
}

/** The global the reference keeps its in-page bus under; ours uses the same one, so both share it. */
const IN_PAGE_BUS_GLOBAL = '__naylence_inpage_bus__';

function inPageEventTarget(): EventTarget {
  const holder = globalThis as unknown as Record<string, EventTarget | undefined>;
  if (typeof EventTarget !== 'function' || typeof MessageEvent !== 'function') {
    throw new ConfigError('the in-page transport needs EventTarget and MessageEvent (browsers, workers, Node 20+)');
  }
  return (holder[IN_PAGE_BUS_GLOBAL] ??= new EventTarget());
}

/**
 * The in-page bus: an `EventTarget` at `globalThis.__naylence_inpage_bus__`, one event type per
 * channel, each message a `MessageEvent` whose `data` is the message (as the reference does). It
 * reaches only the same realm (one window or worker) and copies nothing: a payload crosses as
 * the very object sent. Delivery to listeners is synchronous; link ends defer their work.
 */
export const IN_PAGE_BUS: Bus = {
  transport: 'inpage',
  open(channelName, receive) {
    const target = inPageEventTarget();
    // Every port on the target hears every event, its own too: skip those.
    const posted = new WeakSet<object>();
    const listener = (event: Event): void => {
      const data = (event as MessageEvent<unknown>).data;
      if (typeof data !== 'object' || data === null || !posted.has(data)) receive(data);
    };
    target.addEventListener(channelName, listener);
    let open = true;
    return {
      post(message) {
        if (!open) return;
        posted.add(message);
        target.dispatchEvent(new MessageEvent(channelName, { data: message }));
      },
      close() {
        if (!open) return;
        open = false;
        target.removeEventListener(channelName, listener);
      },
    };
  },
};

/** Bytes as their own buffer: structured clone copies a view's whole buffer, not just the view. */
function ownBuffer(payload: BusMessage['payload']): BusMessage['payload'] {
  if (payload === undefined || typeof payload === 'string') return payload;
  return payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : payload.slice();
}

/**
 * The BroadcastChannel bus: one `BroadcastChannel` per port, so links reach every same-origin
 * window, frame, tab and worker (and, on Node, every `BroadcastChannel` of the process).
 * Messages are structured-cloned, in order per port.
 */
export const BROADCAST_CHANNEL_BUS: Bus = {
  transport: 'broadcast-channel',
  open(channelName, receive) {
    if (typeof BroadcastChannel !== 'function') {
      throw new ConfigError('the BroadcastChannel transport needs BroadcastChannel (browsers, workers, Node 18+)');
    }
    const channel = new BroadcastChannel(channelName);
    channel.onmessage = (event: MessageEvent<unknown>) => receive(event.data);
    let open = true;
    return {
      post(message) {
        if (open) channel.postMessage(message.payload === undefined ? message : { ...message, payload: ownBuffer(message.payload) });
      },
      close() {
        if (!open) return;
        open = false;
        channel.onmessage = null;
        channel.close();
      },
    };
  },
};
