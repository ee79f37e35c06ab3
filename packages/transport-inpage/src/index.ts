/**
 * `@naylence/transport-inpage`: links between nodes that share a browser (or a Node process)
 * rather than a network, for the FAME agent fabric:
 *
 * - **in-page**: a sentinel and agents in one page or worker, over the reference's in-page
 *   event bus (`globalThis.__naylence_inpage_bus__`); nothing is copied.
 * - **BroadcastChannel**: a sentinel in one window, frame or worker and agents in other frames,
 *   tabs and workers of the same origin; messages are structured-cloned.
 *
 * Both carry the reference's bus messages (`{senderId, senderNodeId, targetNodeId, payload}`) on
 * a named channel (default `naylence-fabric`) plus link control of ours (open/accept with the
 * bearer token, credit acknowledgements, close), so a link behaves like a WebSocket: the
 * listener authenticates it, `send()` reports back-pressure, `close()` reaches the other end.
 * The grants the reference names (`InPageConnectionGrant`, `BroadcastChannelConnectionGrant`)
 * and the grant of its `direct-inpage` admission profile are here too. Attach, routing, flow
 * control and reconnects come from the fabric; both transports pass the shared transport
 * compliance suite. Runs in browsers, workers and Node 20+ (which has `BroadcastChannel`).
 *
 * @example
 * ```ts
 * import { createFabric } from '@naylence/fabric';
 * import { inPageDialer, inPageListener } from '@naylence/transport-inpage';
 *
 * // A sentinel and an agent in one page (or one Node process).
 * await using sentinel = await createFabric({ listeners: [inPageListener({ channelName: 'docs-example' })] });
 * await using agent = await createFabric({ connect: inPageDialer({ channelName: 'docs-example' }) });
 * await agent.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
 * console.log(await sentinel.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })); // 7
 * ```
 *
 * @packageDocumentation
 */

// ---- Dialers and listeners ---------------------------------------------------------------------
export { inPageDialer, inPageListener, broadcastChannelDialer, broadcastChannelListener } from './transports.js';
export { BusDialer, DEFAULT_CONNECT_TIMEOUT_MS, type BusDialerOptions } from './bus-dialer.js';
export { BusListener, DEFAULT_MAX_LINKS, type BusListenerOptions } from './bus-listener.js';
export { BusConnector, DEFAULT_HIGH_WATER_MARK, type BusConnectorOptions, type BusLinkIds } from './bus-connector.js';

// ---- The buses and their messages --------------------------------------------------------------
export { IN_PAGE_BUS, BROADCAST_CHANNEL_BUS, type Bus, type BusPort } from './buses.js';
export { DEFAULT_CHANNEL_NAME, parseBusMessage, type BusMessage, type BusControl } from './bus-message.js';

// ---- Grants (admission-and-http §1.1, §3) ------------------------------------------------------
export {
  IN_PAGE_CONNECTION_GRANT_TYPE,
  BROADCAST_CHANNEL_CONNECTION_GRANT_TYPE,
  GRANT_PURPOSE_NODE_ATTACH,
  DIRECT_INPAGE_CHANNEL_ENV,
  normalizeInPageConnectionGrant,
  normalizeBroadcastChannelConnectionGrant,
  isBusConnectionGrant,
  directInPageGrant,
  dialerFromGrant,
  type BusConnectionGrant,
} from './grants.js';
