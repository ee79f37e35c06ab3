/**
 * `@naylence/fabric`: nodes, sentinels, routing, flow control, and the in-memory transport.
 *
 * Everything here runs over core's `Connector` contract, so transports only supply bytes.
 *
 * @example
 * ```ts
 * import { FameNode, MemoryNetwork, Sentinel } from '@naylence/fabric';
 * import { createEnvelope } from '@naylence/core';
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
export { FameNode, LOCAL_ORIGIN, type Origin, type BoundAddress, type BindOptions, type EnvelopeSender } from './node/node.js';
export type { NodeOptions } from './node/node-options.js';
export type { NodeHooks, AttachInfo, DetachInfo, ChildInfo, ForwardTarget } from './node/hooks.js';
export type { DeliveryContext, EnvelopeHandler } from './node/local-bindings.js';
export type { UpstreamOptions } from './node/upstream-session.js';
export { Sentinel, type SentinelOptions } from './sentinel/sentinel.js';
export { RouteTable, type RouteOwner, type RemovedRoutes } from './sentinel/route-table.js';
export { hrwLoadBalancer, roundRobinLoadBalancer, randomLoadBalancer, loadBalancers, type LoadBalancer } from './sentinel/load-balancer.js';
export { Link, type LinkOptions, type LinkHandler, type Lane, type SendOptions } from './link/link.js';
export { FLOW_WINDOW, FLOW_LOW_WATERMARK } from './link/flow-control.js';
export { MemoryConnector, createMemoryConnectorPair, type MemoryConnectorOptions } from './transport/memory-connector.js';
export { MemoryNetwork } from './transport/memory-network.js';
export { DEFAULT_RECONNECT_POLICY, backoffDelay, type ReconnectPolicy } from './util/backoff.js';
export { createDefaultLogger } from './logging.js';
export { Fabric, createFabric, withFabric, type FabricOptions, type ServedService, type SinkHandler, type Subscription } from './fabric.js';
export { RpcStream } from './rpc/rpc-stream.js';
export type { CallOptions, StreamOptions, SendOptions as MessageSendOptions, CallTarget } from './rpc/rpc-client.js';
export type { ServeOptions } from './rpc/rpc-server.js';
export { rpcMethod, type Service, type ServiceMethod, type CallContext, type MethodOptions, type ServiceProxy } from './rpc/service.js';
export {
  AT_LEAST_ONCE,
  AT_MOST_ONCE,
  resolveDeliveryPolicy,
  type DeliveryPolicy,
  type DeliveryOption,
} from './delivery/delivery-policy.js';

// The errors callers of the fabric handle every day, so application code needs no second import.
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
  type ErrorCode,
} from '@naylence/core';
