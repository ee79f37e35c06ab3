import type { Authorizer } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { captureLogger, rawTcp as tcp } from '@naylence-tools/transport-compliance';
import { rawClient, startListener } from './fixtures.test.util.js';

const ATTACH = '/fame/v1/attach/ws';

describe('WebSocketListener edge limits', () => {
  it('closes a TCP connection that never completes the upgrade', async () => {
    await using running = await startListener({ upgradeTimeoutMs: 100 });
    await using silent = await tcp(running.address.port);
    expect(await silent.closed).toBe(''); // dropped, without a word
    await using dripping = await tcp(running.address.port);
    dripping.socket.write('GET /fame/v1/attach/ws/downstream/slow HTTP/1.1\r\nHost: x\r\n'); // headers never finish
    await dripping.closed;
    expect(running.listener.stats.upgradeTimeouts).toBeGreaterThanOrEqual(1);
    // an upgraded link is not subject to the upgrade timeout
    await using client = await rawClient(running.url(`${ATTACH}/downstream/child-1`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('answers 503 once the connection cap is reached, and takes connections again when one closes', async () => {
    await using running = await startListener({ maxConnections: 2 });
    await using first = await rawClient(running.url(`${ATTACH}/downstream/a`));
    await using _second = await rawClient(running.url(`${ATTACH}/downstream/b`));
    await using third = await tcp(running.address.port);
    expect(await third.closed).toMatch(/^HTTP\/1\.1 503 /);
    await expect(rawClient(running.url(`${ATTACH}/downstream/c`))).rejects.toThrow(/503/);
    expect(running.listener.stats).toMatchObject({ connections: 2, refusedOverCap: 2 });
    await first[Symbol.asyncDispose]();
    await expect.poll(() => running.listener.stats.connections).toBe(1);
    await using fourth = await rawClient(running.url(`${ATTACH}/downstream/d`));
    expect(fourth.ws.readyState).toBe(fourth.ws.OPEN);
  });

  it('caps connections per remote address', async () => {
    await using running = await startListener({ maxConnectionsPerAddress: 1 });
    await using _first = await rawClient(running.url(`${ATTACH}/downstream/a`));
    await expect(rawClient(running.url(`${ATTACH}/downstream/b`))).rejects.toThrow(/503/);
    expect(running.listener.stats.refusedOverCap).toBe(1);
  });

  it('slows down authentication from an address after failures, and a success clears it', async () => {
    const checked: number[] = [];
    const authorizer: Authorizer = {
      authenticate: (credentials) => {
        checked.push(Date.now());
        return Promise.resolve(credentials === 'Bearer good' ? { authenticated: true } : undefined);
      },
    };
    const logger = captureLogger();
    await using running = await startListener({ authorizer, logger });
    for (let i = 0; i < 3; i++) {
      await using client = await rawClient(running.url(`${ATTACH}/downstream/guess-${i}`), { protocols: ['bearer', `wrong-${i}`] });
      expect((await client.closed).reason).toBe('Authentication failed');
    }
    expect(running.listener.stats).toMatchObject({ authFailures: 3, delayedAuthAttempts: 2 });
    const delays = logger.lines.filter((l) => /delaying an upgrade/.test(l.message)).map((l) => l.bindings.delayMs);
    expect(delays).toHaveLength(2);
    for (const delay of delays) expect(delay).toBeGreaterThan(0);
    await using good = await rawClient(running.url(`${ATTACH}/downstream/ok`), { protocols: ['bearer', 'good'] });
    await expect.poll(() => running.host.links.length).toBe(1);
    await using again = await rawClient(running.url(`${ATTACH}/downstream/ok-2`), { protocols: ['bearer', 'good'] });
    await expect.poll(() => running.host.links.length).toBe(2);
    expect(running.listener.stats.delayedAuthAttempts).toBe(3); // the success cleared the address
    void good;
    void again;
  });

  it('refuses a peer link when children authenticate and no peer authorizer is set', async () => {
    const authorizer: Authorizer = { authenticate: () => Promise.resolve({ authenticated: true }) };
    await using running = await startListener({ authorizer });
    await using peer = await rawClient(running.url(`${ATTACH}/peer/sentinel-b`), { protocols: ['bearer', 'x'] });
    expect(await peer.closed).toEqual({ code: 1008, reason: 'Peer attach not authorized' });
    expect(peer.messages[0]?.text).toMatch(/"ok":false/);
    expect(running.host.links).toEqual([]);

    await using withPeers = await startListener({ authorizer, peerAuthorizer: authorizer });
    await using allowed = await rawClient(withPeers.url(`${ATTACH}/peer/sentinel-b`), { protocols: ['bearer', 'x'] });
    await expect.poll(() => withPeers.host.links.length).toBe(1);
    expect(withPeers.host.links[0]).toMatchObject({ originType: 'peer', systemId: 'sentinel-b' });
    void allowed;
  });

  it('keeps its log small while refusing over and over: clipped peer input, rate-limited lines', async () => {
    const logger = captureLogger();
    await using running = await startListener({
      logger,
      authorizer: { authenticate: () => Promise.resolve(undefined) },
      authFailureMaxDelayMs: 0,
    });
    const longPath = `${ATTACH}/sideways/${'z'.repeat(4_000)}`;
    for (let i = 0; i < 40; i++) {
      await using client = await rawClient(running.url(longPath));
      await client.closed;
    }
    const lines = logger.lines.filter((l) => l.level !== 'debug').map((l) => JSON.stringify({ ...l.bindings, msg: l.message }));
    expect(lines.length).toBeLessThanOrEqual(12);
    for (const line of lines) expect(line.length).toBeLessThan(600);
  });
});
