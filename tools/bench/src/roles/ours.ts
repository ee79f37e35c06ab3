/** Our implementation of the bench roles: @naylence/fabric over @naylence/transport-ws. */
import { createFabric, type Sentinel } from '@naylence/fabric';
import { WebSocketDialer, WebSocketListener } from '@naylence/transport-ws';
import type { BenchClient, Impl } from './impl.js';

const math = { add: ({ x, y }: { x: number; y: number }) => x + y };
const attachUrl = (port: number) => `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream`;

export const impl: Impl = {
  async sentinel() {
    const fabric = await createFabric({
      systemId: `sentinel-${process.pid}`,
      listeners: [new WebSocketListener({ host: '127.0.0.1', port: 0 })],
    });
    return { port: (fabric.node as Sentinel).addresses[0]!.port, stop: () => fabric.stop() };
  },

  async agent(port, id) {
    const fabric = await createFabric({ systemId: id, connect: new WebSocketDialer({ url: attachUrl(port) }) });
    let delivered = 0;
    await fabric.serve('math@fame.fabric', math);
    await fabric.subscribe('sink@fame.fabric', () => void delivered++);
    return { delivered: () => delivered, stop: () => fabric.stop() };
  },

  async client(port, id) {
    const fabric = await createFabric({ systemId: id, connect: new WebSocketDialer({ url: attachUrl(port) }) });
    return {
      add: (x, timeoutMs) => fabric.invoke<number>('math@fame.fabric', 'add', { x, y: 1 }, { timeoutMs }),
      send: (payload, to = 'sink@fame.fabric') => fabric.send(to, payload),
      stop: () => fabric.stop(),
    } satisfies BenchClient;
  },

  async consumer(port, id, address, stuck) {
    const fabric = await createFabric({ systemId: id, connect: new WebSocketDialer({ url: attachUrl(port) }) });
    await fabric.subscribe(address, stuck ? () => new Promise(() => {}) : () => undefined);
    return { stop: () => fabric.stop() };
  },

  async inproc() {
    const fabric = await createFabric();
    const { address } = await fabric.serve('math', math);
    return {
      add: (x, timeoutMs) => fabric.invoke<number>(address, 'add', { x, y: 1 }, { timeoutMs }),
      send: (payload) => fabric.send(address, payload),
      stop: () => fabric.stop(),
    };
  },
};
