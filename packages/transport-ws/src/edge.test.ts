import type { AddressInfo } from 'node:net';
import type { WireMessage } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData } from 'ws';
import { WebSocketDialer } from './dialer.js';

describe('the WebSocket edge moves bytes as they are', () => {
  it('hands over text, or the raw bytes of a binary frame that is not UTF-8 (never a silent replacement)', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    try {
      wss.on('connection', (ws) => {
        ws.send(Buffer.from('{"binary":"ü"}'), { binary: true });
        ws.send(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { binary: true });
        ws.send('{"text":true}');
      });
      const { port } = wss.address() as AddressInfo;
      await using connector = await new WebSocketDialer({ url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream` }).dial({
        systemId: 'edge',
        originType: 'downstream',
      });
      const got: WireMessage[] = [];
      connector.start({ onMessage: (m) => void got.push(m), onClose: () => undefined });
      await new Promise<void>((resolve) => {
        const poll = () => (got.length >= 3 ? resolve() : setTimeout(poll, 5));
        poll();
      });
      expect(got[0]).toBe('{"binary":"ü"}');
      expect(got[1]).toBeInstanceOf(Uint8Array);
      expect([...(got[1] as Uint8Array)]).toEqual([0x7b, 0xff, 0xfe, 0x7d]);
      expect(got[2]).toBe('{"text":true}');
    } finally {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it('sends the bytes it is given as one binary frame each, unchanged', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const received: { bytes: number[]; binary: boolean }[] = [];
    try {
      wss.on('connection', (ws) =>
        ws.on('message', (data: RawData, binary: boolean) => received.push({ bytes: [...(data as Buffer)], binary })),
      );
      const { port } = wss.address() as AddressInfo;
      await using connector = await new WebSocketDialer({ url: `ws://127.0.0.1:${port}/fame/v1/attach/ws/downstream` }).dial({
        systemId: 'edge',
        originType: 'downstream',
      });
      connector.start({ onMessage: () => undefined, onClose: () => undefined });
      const bytes = new TextEncoder().encode('{"ü":"€"}');
      connector.send(bytes);
      await new Promise<void>((resolve) => {
        const poll = () => (received.length >= 1 ? resolve() : setTimeout(poll, 5));
        poll();
      });
      expect(received).toEqual([{ bytes: [...bytes], binary: true }]);
    } finally {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});
