import { createEnvelope, NOOP_LOGGER, serializeEnvelope, type Connector, type WireMessage } from '@naylence/core';
import { createMemoryConnectorPair, Sentinel } from '@naylence/fabric';
import { summarize } from '../measure.js';
import type { Scenario } from '../scenario.js';

const utf8 = new TextDecoder();

/**
 * One side of a link driven by hand: pre-serialized envelopes out, a counter in, credit
 * accounting done with string checks, so almost all CPU in the measurement is the sentinel's.
 */
class RawPeer {
  readonly connector: Connector;
  received = 0;
  credits = 32;
  #sinceGrant = 0;
  #onMessage: ((text: string) => void) | undefined;
  #wake: (() => void) | undefined;

  constructor(
    connector: Connector,
    readonly flowId: string,
  ) {
    this.connector = connector;
    connector.start({
      onMessage: (m: WireMessage) => {
        // Links hand their transport bytes (encoded once); a socket reader would get bytes too.
        const text = typeof m === 'string' ? m : utf8.decode(m);
        if (text.includes('"CreditUpdate"')) {
          this.credits = Math.min(32, this.credits + Number(/"credits":(\d+)/.exec(text)![1]));
          this.#wake?.();
          return;
        }
        this.received++;
        this.#onMessage?.(text);
        // grant back like a well-behaved receiver: 24 at a time, per the (single) inbound flow
        if (++this.#sinceGrant === 24) {
          this.#sinceGrant = 0;
          const flow = /"flowId":"([^"]+)"/.exec(text)![1]!;
          connector.send(
            serializeEnvelope(
              createEnvelope({ flowId: flow, seqId: 0, flowFlags: 2, frame: { type: 'CreditUpdate', flowId: flow, credits: 24 } }),
            ),
          );
        }
      },
      onClose: () => undefined,
    });
  }

  next(predicate: (text: string) => boolean): Promise<string> {
    return new Promise((resolve) => {
      this.#onMessage = (text) => {
        if (predicate(text)) {
          this.#onMessage = undefined;
          resolve(text);
        }
      };
    });
  }

  /** Send `count` copies of `text`, respecting credits. */
  async pump(text: string, count: number): Promise<void> {
    for (let sent = 0; sent < count;) {
      while (this.credits > 0 && sent < count) {
        this.credits--;
        sent++;
        this.connector.send(text);
      }
      if (sent < count) await new Promise<void>((r) => (this.#wake = r));
    }
  }
}

async function attach(sentinel: Sentinel, systemId: string): Promise<RawPeer> {
  const [ours, theirs] = createMemoryConnectorPair();
  sentinel.accept({ connector: theirs, originType: 'downstream', systemId });
  const peer = new RawPeer(ours, `flow-${systemId}`);
  const acked = peer.next((t) => t.includes('NodeAttachAck'));
  ours.send(
    serializeEnvelope(
      createEnvelope({
        corrId: 'c1',
        flowId: peer.flowId,
        seqId: 0,
        flowFlags: 1,
        frame: { type: 'NodeAttach', originType: 'downstream', systemId, instanceId: 'i' },
      }),
    ),
  );
  await acked;
  return peer;
}

async function runOurs(count: number): Promise<{ rate: number; cpuUs: number }> {
  const sentinel = new Sentinel({ systemId: 'bench-sentinel', logger: NOOP_LOGGER });
  await sentinel.start();
  try {
    const consumer = await attach(sentinel, 'consumer');
    const bound = consumer.next((t) => t.includes('AddressBindAck'));
    consumer.connector.send(
      serializeEnvelope(
        createEnvelope({ corrId: 'b1', rtype: 1, flowId: consumer.flowId, frame: { type: 'AddressBind', address: 'sink@fame.fabric' } }),
      ),
    );
    await bound;
    consumer.received = 0;
    const producer = await attach(sentinel, 'producer');
    const text = serializeEnvelope(
      createEnvelope({
        to: 'sink@fame.fabric',
        flowId: producer.flowId,
        seqId: 1,
        flowFlags: 0,
        frame: { type: 'Data', payload: { jsonrpc: '2.0', method: 'tick', params: { n: 1, text: 'x'.repeat(300) } } },
      }),
    );
    return await measure(
      count,
      () => producer.pump(text, count),
      () => consumer.received,
    );
  } finally {
    await sentinel.stop();
  }
}

async function runBare(count: number, parse: boolean): Promise<{ rate: number; cpuUs: number }> {
  const [producerEnd, relayIn] = createMemoryConnectorPair();
  const [relayOut, consumerEnd] = createMemoryConnectorPair();
  let received = 0;
  relayIn.start({ onMessage: (m) => relayOut.send(parse ? JSON.stringify(JSON.parse(m as string)) : m), onClose: () => undefined });
  relayOut.start({ onMessage: () => undefined, onClose: () => undefined });
  consumerEnd.start({ onMessage: () => void received++, onClose: () => undefined });
  producerEnd.start({ onMessage: () => undefined, onClose: () => undefined });
  const text = serializeEnvelope(
    createEnvelope({
      to: 'sink@fame.fabric',
      frame: { type: 'Data', payload: { jsonrpc: '2.0', method: 'tick', params: { n: 1, text: 'x'.repeat(300) } } },
    }),
  );
  // the same 32-message windows the flow-controlled path gets
  const pump = async () => {
    for (let sent = 0; sent < count; sent += 32) {
      for (let i = 0; i < 32 && sent + i < count; i++) producerEnd.send(text);
      await new Promise((r) => setImmediate(r));
    }
  };
  try {
    return await measure(count, pump, () => received);
  } finally {
    await producerEnd.close();
    await relayOut.close();
  }
}

async function measure(count: number, pump: () => Promise<void>, received: () => number): Promise<{ rate: number; cpuUs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pump();
  while (received() < count) await new Promise((r) => setImmediate(r));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { rate: count / seconds, cpuUs: (cpu.user + cpu.system) / count };
}

export const fabricForwardScenario: Scenario = {
  name: 'fabric-forward',
  description:
    'envelopes/s a sentinel forwards between two in-memory links (decode, route, flow control, encode) vs a bare in-memory hand-off',
  async run({ rounds, smoke }) {
    const count = smoke ? 5_000 : 200_000;
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const bare: number[] = [];
    const bareCpu: number[] = [];
    const json: number[] = [];
    await runOurs(Math.min(count, 20_000)); // warm-up
    for (let r = 0; r < rounds; r++) {
      const b = await runBare(count, false);
      bare.push(b.rate);
      bareCpu.push(b.cpuUs);
      json.push((await runBare(count, true)).rate);
      const o = await runOurs(count);
      ours.push(o.rate);
      oursCpu.push(o.cpuUs);
    }
    const o = summarize(ours);
    const b = summarize(bare);
    const j = summarize(json);
    return {
      scenario: 'fabric-forward',
      rows: [
        { label: 'forwarded envelopes/s (bare = hand-off)', unit: 'env/s', ours: o, bare: b },
        { label: 'forwarded envelopes/s (bare = JSON relay)', unit: 'env/s', ours: o, bare: j },
        { label: 'CPU per envelope (bare = hand-off)', unit: 'µs', ours: summarize(oursCpu), bare: summarize(bareCpu) },
      ],
      notes: [
        `${count} envelopes of ~400 bytes per round, in one process over in-memory links; "hand-off" passes each message on untouched, "JSON relay" parses and re-serializes it`,
      ],
    };
  },
};
