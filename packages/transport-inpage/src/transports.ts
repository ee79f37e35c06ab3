import { BusDialer, type BusDialerOptions } from './bus-dialer.js';
import { BusListener, type BusListenerOptions } from './bus-listener.js';
import { BROADCAST_CHANNEL_BUS, IN_PAGE_BUS } from './buses.js';

export { BusDialer, BusListener };

/** Dials a listener in the same page or worker (the in-page event bus). */
export function inPageDialer(options: BusDialerOptions = {}): BusDialer {
  return new BusDialer(IN_PAGE_BUS, options);
}

/** Accepts links from dialers in the same page or worker (the in-page event bus). */
export function inPageListener(options: BusListenerOptions = {}): BusListener {
  return new BusListener(IN_PAGE_BUS, options);
}

/** Dials a listener in any same-origin window, frame, tab or worker (a `BroadcastChannel`). */
export function broadcastChannelDialer(options: BusDialerOptions = {}): BusDialer {
  return new BusDialer(BROADCAST_CHANNEL_BUS, options);
}

/** Accepts links from dialers in any same-origin window, frame, tab or worker (a `BroadcastChannel`). */
export function broadcastChannelListener(options: BusListenerOptions = {}): BusListener {
  return new BusListener(BROADCAST_CHANNEL_BUS, options);
}
