import { NOOP_LOGGER, type Logger } from '@naylence/core';
import { createFabric } from '@naylence/fabric';
import { staticTokenProvider } from '@naylence/security';
import { WebSocketDialer } from '@naylence/transport-ws';
import { describe, expect, it } from 'vitest';
import { runSentinel, type RunningSentinel } from './sentinel.js';

// What each transport logs when an address that failed authentication has to wait.
const WS_DELAYED = 'delaying an upgrade after failed authentication from its address';
const HTTP_DELAYED = 'delaying a request after failed authentication from its address';

/** A logger that keeps every message. */
function recordingLogger(messages: string[]): Logger {
  const log = (first: object | string, second?: string): void => void messages.push(typeof first === 'string' ? first : (second ?? ''));
  const logger: Logger = { trace: log, debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

async function sentinelWithHttp(messages: string[]): Promise<RunningSentinel> {
  return runSentinel({
    host: '127.0.0.1',
    port: 0,
    tokens: ['child'],
    http: true,
    // spacing doubles per failure from 100 ms; nothing is refused (429) below 10 s
    limits: { authFailureMaxDelayMs: 10_000 },
    logger: recordingLogger(messages),
  });
}

const failOverWebSocket = (sentinel: RunningSentinel) =>
  expect(
    createFabric({ logger: NOOP_LOGGER, connect: new WebSocketDialer({ url: sentinel.url, tokenProvider: staticTokenProvider('wrong') }) }),
  ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });

const failOverHttp = async (sentinel: RunningSentinel) => {
  const response = await fetch(`${sentinel.ingressUrl!}/guess`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer wrong' } });
  expect(response.status).toBe(401);
};

// After five failures within a minute the next attempt from the address waits 1.6 s for its
// slot: an attempt made right after them is delayed, on whichever transport it comes.
describe('listeners sharing a port', () => {
  it('count failed WebSocket authentication against HTTP attempts from the same address', async () => {
    const messages: string[] = [];
    await using sentinel = await sentinelWithHttp(messages);
    for (let i = 0; i < 5; i++) await failOverWebSocket(sentinel);
    expect(messages).not.toContain(HTTP_DELAYED);
    await failOverHttp(sentinel);
    expect(messages).toContain(HTTP_DELAYED);
  });

  it('count failed HTTP authentication against WebSocket attempts from the same address', async () => {
    const messages: string[] = [];
    await using sentinel = await sentinelWithHttp(messages);
    for (let i = 0; i < 5; i++) await failOverHttp(sentinel);
    expect(messages).not.toContain(WS_DELAYED);
    await failOverWebSocket(sentinel);
    expect(messages).toContain(WS_DELAYED);
  });
});
