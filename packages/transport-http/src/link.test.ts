import { decodeEnvelope, serializeEnvelope, type AccessToken, type Authorizer, type TokenProvider } from '@naylence/core';
import { describe, expect, it } from 'vitest';
import { attachLink, dataEnvelope, nodeAttach, post, REFUSED_PORT, startHttpPair } from './fixtures.test.util.js';
import { HttpDialer } from './dialer.js';
import { HttpListener } from './listener.js';

function payloads(messages: readonly unknown[]): unknown[] {
  return messages.map((m) => (decodeEnvelope(m as Uint8Array).frame as { payload: unknown }).payload);
}

/** A token provider that counts its calls and hands out `tok-1`, `tok-2`, … valid for `ttlMs`. */
function countingProvider(ttlMs: number): TokenProvider & { calls: number } {
  const provider = {
    calls: 0,
    getToken(): Promise<AccessToken> {
      provider.calls++;
      return Promise.resolve({ value: `tok-${provider.calls}`, expiresAt: new Date(Date.now() + ttlMs) });
    },
  };
  return provider;
}

describe('HTTP links', () => {
  it('turns a flood past the receive queue into 429s and loses nothing', async () => {
    await using pair = await startHttpPair({ parent: { receiveQueue: 16, busyRetry: { initialDelayMs: 2, maxDelayMs: 20 } } });
    const { child, parent } = await attachLink(pair);
    // The parent's node does not read yet: its receive queue (16) fills, then the child gets 429s.
    const total = 300;
    let pressured = false;
    for (let i = 0; i < total; i++) if (!child.send(dataEnvelope(i))) pressured = true;
    await expect.poll(() => child.stats.busy, { timeout: 10_000 }).toBeGreaterThan(0);
    const received: unknown[] = [];
    parent.start({ onMessage: (m) => received.push(m), onClose: () => {} });
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(total + 1);
    expect(payloads(received.slice(1))).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(child.state).toBe('open');
    expect(pressured || child.stats.busy > 0).toBe(true);
  });

  it('signals back-pressure through send() and drain() while the peer answers 429', async () => {
    await using pair = await startHttpPair({ parent: { receiveQueue: 4 } });
    const { child, parent } = await attachLink(pair, 'child', pair.dialer({ highWaterMark: 4096 }));
    let sent = 0;
    while (child.send(dataEnvelope('y'.repeat(1000)))) sent++;
    const drained = child.drain();
    const received: unknown[] = [];
    parent.start({ onMessage: (m) => received.push(m), onClose: () => {} });
    await drained;
    await expect.poll(() => received.length).toBe(sent + 2);
  });

  it('fetches a fresh token once the cached one is about to expire', async () => {
    const seen: (string | undefined)[] = [];
    const authorizer: Authorizer = {
      authenticate: (credentials) => {
        seen.push(credentials);
        return Promise.resolve(credentials?.startsWith('Bearer tok-') ? { authenticated: true } : undefined);
      },
    };
    await using pair = await startHttpPair({ parent: { authorizer } });
    const longLived = countingProvider(3_600_000);
    const { child, parent } = await attachLink(pair, 'child', pair.dialer({ tokenProvider: longLived }));
    parent.start({ onMessage: () => {}, onClose: () => {} });
    for (let i = 0; i < 5; i++) child.send(dataEnvelope(i));
    await expect.poll(() => seen.length).toBe(6);
    expect(longLived.calls).toBe(1);
    expect(new Set(seen)).toEqual(new Set(['Bearer tok-1']));

    // A token that is already within its refresh margin is fetched again for every request.
    seen.length = 0;
    const shortLived = countingProvider(0);
    const second = await attachLink(pair, 'other', pair.dialer({ tokenProvider: shortLived }));
    second.parent.start({ onMessage: () => {}, onClose: () => {} });
    second.child.send(dataEnvelope('a'));
    await expect.poll(() => seen.length).toBe(2);
    second.child.send(dataEnvelope('b'));
    await expect.poll(() => seen.length).toBe(3);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-3']);
  });

  it('retries a 401 once with a fresh token, then closes with 1008', async () => {
    let accept = new Set(['Bearer tok-1', 'Bearer tok-2']);
    const authorizer: Authorizer = {
      authenticate: (credentials) =>
        Promise.resolve(credentials !== undefined && accept.has(credentials) ? { authenticated: true } : undefined),
    };
    await using pair = await startHttpPair({ parent: { authorizer } });
    const provider = countingProvider(3_600_000);
    const { child, parent } = await attachLink(pair, 'child', pair.dialer({ tokenProvider: provider }));
    const received: unknown[] = [];
    parent.start({ onMessage: (m) => received.push(m), onClose: () => {} });
    // tok-1 is revoked: the next request is refused once, then sent again with tok-2.
    accept = new Set(['Bearer tok-2']);
    child.send(dataEnvelope('after rotation'));
    await expect.poll(() => received.length).toBe(2);
    expect(provider.calls).toBe(2);
    // Every token revoked: the link closes with a typed error.
    accept = new Set();
    child.send(dataEnvelope('refused'));
    const info = await child.whenClosed();
    expect(info).toMatchObject({ code: 1008, initiator: 'local' });
    expect(info.error).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED', detail: 'Authentication failed' });
  });

  it('closes with a code from the status when the peer refuses a message', async () => {
    await using pair = await startHttpPair({ parent: { maxBodyBytes: 2_000 } });
    const { child, parent } = await attachLink(pair);
    parent.start({ onMessage: () => {}, onClose: () => {} });
    child.send(dataEnvelope('z'.repeat(5_000)));
    const info = await child.whenClosed();
    expect(info).toMatchObject({ code: 1009, initiator: 'local', reason: 'HTTP 413 Request body too large' });
    expect(info.error).toMatchObject({ name: 'HttpStatusError', status: 413, code: 'MESSAGE_TOO_LARGE' });
  });

  it('closes with 1006 when the parent cannot be reached', async () => {
    await using callback = new HttpListener({ host: '127.0.0.1' });
    const dialer = new HttpDialer({ url: `http://127.0.0.1:${REFUSED_PORT}/fame/v1/ingress/downstream`, callback });
    const child = await dialer.dial({ systemId: 'child', originType: 'downstream' });
    child.send(serializeEnvelope(nodeAttach('child', child.attachFields())));
    const info = await child.whenClosed();
    expect(info).toMatchObject({ code: 1006, initiator: 'local' });
    expect(info.error).toMatchObject({ code: 'CONNECTOR_CLOSED' });
  });

  it('authenticates the parent on the callback with the reverse-auth token', async () => {
    const presented: (string | undefined)[] = [];
    const callbackAuthorizer: Authorizer = {
      authenticate: (credentials) => {
        presented.push(credentials);
        return Promise.resolve(credentials === 'Bearer reverse-1' ? { authenticated: true } : undefined);
      },
    };
    await using pair = await startHttpPair();
    const dialer = pair.dialer({
      callbackAuth: { authorizer: callbackAuthorizer, tokenProvider: { getToken: () => Promise.resolve({ value: 'reverse-1' }) } },
    });
    const { child, parent } = await attachLink(pair, 'child', dialer);
    const received: unknown[] = [];
    child.start({ onMessage: (m) => received.push(m), onClose: () => {} });
    parent.start({ onMessage: () => {}, onClose: () => {} });
    parent.send(dataEnvelope('from parent'));
    await expect.poll(() => received.length).toBe(1);
    expect(presented).toEqual(['Bearer reverse-1']);

    // Anyone else posting to the child's callback URL is refused.
    const forged = await post(pair.child.callbackUrl, dataEnvelope('forged'));
    expect(forged).toMatchObject({ status: 401, body: '{"error":"Authentication failed"}' });
    const forgedForLink = await post(pair.child.callbackUrl, dataEnvelope('forged'), { 'x-fame-link': child.linkId!, 'x-fame-seq': '1' });
    expect(forgedForLink.status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it('offers its callback grant as attachFields, for the NodeAttach the fabric writes', async () => {
    await using pair = await startHttpPair({ child: { publicUrl: 'https://agent.example:8443/edge/' } });
    const { child, link } = await attachLink(pair, 'child', pair.dialer());
    const grant = {
      type: 'HttpConnectionGrant',
      url: 'https://agent.example:8443/edge/fame/v1/ingress/upstream',
      auth: { type: 'NoAuth' },
    };
    expect(child.attachFields()).toEqual({ callbackGrants: [grant] });
    expect(child.info.messageForm).toBe('bytes');
    const attach: unknown[] = [];
    link.connector.start({ onMessage: (m) => attach.push(m), onClose: () => {} });
    expect(decodeEnvelope(attach[0] as Uint8Array).frame).toMatchObject({ type: 'NodeAttach', callbackGrants: [grant] });
    // An accepted link has nothing to add to an attach.
    expect(link.connector.attachFields?.()).toEqual({});
  });

  it('closes an idle link with 1000, and the other end learns it', async () => {
    await using pair = await startHttpPair({ parent: { idleTimeoutMs: 100 } });
    const { child, parent } = await attachLink(pair, 'child', pair.dialer({ idleTimeoutMs: 0 }));
    parent.start({ onMessage: () => {}, onClose: () => {} });
    child.start({ onMessage: () => {}, onClose: () => {} });
    expect(await child.whenClosed()).toMatchObject({ code: 1000, reason: 'idle timeout', initiator: 'remote' });
    await expect.poll(() => parent.state).toBe('closed');
  });
});
