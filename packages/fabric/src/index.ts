/**
 * `@naylence/fabric`: nodes, sentinels, routing, flow control, RPC, streaming, delivery, and
 * the in-memory transport.
 *
 * Everything here runs over core's `Connector` contract, so transports only supply bytes;
 * envelope security plugs in through core's `NodeSecurity` (the `security` option).
 *
 * @example
 * ```ts
 * import { createFabric } from '@naylence/fabric';
 *
 * await using fabric = await createFabric();
 * await fabric.serve('math@fame.fabric', { add: ({ x, y }: { x: number; y: number }) => x + y });
 * console.log(await fabric.invoke('math@fame.fabric', 'add', { x: 3, y: 4 })); // 7
 * ```
 *
 * @example
 * ```ts
 * import { FameNode, MemoryNetwork, Sentinel } from '@naylence/fabric';
 *
 * const net = new MemoryNetwork();
 * await using sentinel = new Sentinel({ listeners: [net.listener('hub')] });
 * await sentinel.start();
 * await using agent = new FameNode({ upstream: { dialer: net.dialer('hub') } });
 * await agent.start();
 * await agent.bind('echo@fame.fabric', (envelope) => console.log('got', envelope.frame));
 * ```
 *
 * @packageDocumentation
 */

// ---- The everyday API: serve, call, stream, send, subscribe ----------------------------------
export { Fabric, createFabric, withFabric, type FabricOptions, type ServedService, type SinkHandler, type Subscription } from './fabric.js';
export { RpcStream } from './rpc/rpc-stream.js';
export type { CallOptions, StreamOptions, MessageSendOptions, CallTarget } from './rpc/rpc-client.js';
export type { ServeOptions } from './rpc/rpc-server.js';
export { rpcMethod, type Service, type ServiceMethod, type CallContext, type MethodOptions, type ServiceProxy } from './rpc/service.js';
export {
  AT_LEAST_ONCE,
  AT_MOST_ONCE,
  resolveDeliveryPolicy,
  type DeliveryPolicy,
  type DeliveryOption,
} from './delivery/delivery-policy.js';

// ---- Nodes and sentinels ----------------------------------------------------------------------
export { FameNode, type BoundAddress, type BindOptions, type EnvelopeSendOptions } from './node/node.js';
export type { NodeOptions } from './node/node-options.js';
export type { DeliveryContext, EnvelopeHandler } from './node/local-bindings.js';
export type { UpstreamOptions } from './node/upstream-session.js';
export { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './util/backoff.js';
export { Sentinel, type SentinelOptions } from './sentinel/sentinel.js';
export { hrwLoadBalancer, roundRobinLoadBalancer, randomLoadBalancer, loadBalancers, type LoadBalancer } from './routing/load-balancer.js';

// ---- Observing a node -------------------------------------------------------------------------
export type { NodeHooks, AttachInfo, DetachInfo, ChildInfo } from './node/hooks.js';
export type { NodeMetricsSnapshot } from './node/metrics.js';
export type { LinkRef } from './routing/route-decision.js';

// ---- The in-memory transport (tests, in-process topologies) -----------------------------------
export { MemoryNetwork } from './transport/memory-network.js';
export { MemoryConnector, createMemoryConnectorPair, type MemoryConnectorOptions } from './transport/memory-connector.js';

// ---- The errors callers of the fabric handle every day, so application code needs no second import
export {
  FameError,
  isFameError,
  RpcError,
  DeliveryNackError,
  FameTimeoutError,
  AbortedError,
  BackPressureError,
  AttachError,
  ConnectorClosedError,
  ConfigError,
  type ErrorCode,
} from '@naylence/core';
