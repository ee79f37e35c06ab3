import type { Connector, ConnectorState, Dialer, DialRequest } from '@naylence/core';
import type { AuthInjection } from '@naylence/security';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdmissionClient, HelloRequest } from './admission-client.js';
import { AdmissionDialer } from './admission-dialer.js';
import { directAdmissionClient } from './direct-admission.js';
import type { ConnectionGrant } from './grants.js';
import { noopAdmissionClient } from './noop-admission.js';
import { welcomeFromFrame } from './welcome.js';
import { grantAuthResolver } from './grant-auth.js';

/** A connector that only records being closed. */
function fakeConnector(): Connector & { closedWith?: [number | undefined, string | undefined] } {
  let state: ConnectorState = 'open';
  const connector: Connector & { closedWith?: [number | undefined, string | undefined] } = {
    id: 'c',
    info: { transport: 'fake' },
    get state() {
      return state;
    },
    start: () => undefined,
    send: () => true,
    drain: () => Promise.resolve(),
    close: (code, reason) => {
      state = 'closed';
      connector.closedWith = [code, reason];
      return Promise.resolve();
    },
  };
  return connector;
}

/** Dialer factories that record what they were built from and what they dialed. */
function recordingDialers() {
  const built: { grant: ConnectionGrant; auth: AuthInjection }[] = [];
  const dialed: DialRequest[] = [];
  const connectors: ReturnType<typeof fakeConnector>[] = [];
  const factory =
    (transport: string) =>
    (grant: ConnectionGrant, auth: AuthInjection): Dialer => {
      built.push({ grant, auth });
      return {
        transport,
        dial: (request) => {
          dialed.push(request);
          const connector = fakeConnector();
          connectors.push(connector);
          return Promise.resolve(connector);
        },
      };
    };
  return { built, dialed, connectors, dialers: { WebSocketConnectionGrant: factory('websocket'), HttpConnectionGrant: factory('http') } };
}

/** A welcome service stand-in: each hello gets a fresh grant (a new attach token), expiring in `ttlMs`. */
function countingWelcomeClient(ttlMs: number, idFor: (request: HelloRequest) => string = (r) => r.systemId) {
  const hellos: HelloRequest[] = [];
  const client: AdmissionClient = {
    kind: 'welcome',
    hasUpstream: true,
    hello(request) {
      hellos.push(request);
      const welcome = welcomeFromFrame({
        type: 'NodeWelcome',
        systemId: idFor(request),
        instanceId: request.instanceId,
        connectionGrants: [
          { type: 'InPageConnectionGrant', channelName: 'x' },
          {
            type: 'HttpConnectionGrant',
            url: 'http://p/fame/v1/ingress/downstream',
            auth: { type: 'BearerTokenHeaderAuth', tokenProvider: { type: 'StaticTokenProvider', token: `token-${hellos.length}` } },
          },
        ],
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      });
      return Promise.resolve({ welcome, authOf: grantAuthResolver({ env: {} }) });
    },
  };
  return { client, hellos };
}

const request = (systemId: string): DialRequest => ({ systemId, originType: 'downstream' });

afterEach(() => vi.useRealTimers());

describe('AdmissionDialer', () => {
  it('admits once before the node exists, dials the first attach grant it can dial, re-admits on every later dial', async () => {
    const welcome = countingWelcomeClient(3_600_000);
    const rec = recordingDialers();
    const dialer = new AdmissionDialer({ client: welcome.client, dialers: rec.dialers, logicals: ['fame.fabric'] });
    expect((await dialer.admit('agent-1')).systemId).toBe('agent-1');
    expect(dialer.transport).toBe('welcome');

    await dialer.dial(request('agent-1'));
    expect(welcome.hellos).toHaveLength(1); // the admission of admit() is used by the first dial
    expect(rec.built[0]!.grant.type).toBe('HttpConnectionGrant');
    expect(dialer.transport).toBe('http');
    const auth = rec.built[0]!.auth;
    expect(auth.type !== 'NoAuth' && (await auth.tokenProvider.getToken()).value).toBe('token-1');

    await dialer.dial(request('agent-1'));
    expect(welcome.hellos).toHaveLength(2);
    expect(welcome.hellos.map((h) => h.systemId)).toEqual(['agent-1', 'agent-1']);
    expect(welcome.hellos[1]!.logicals).toEqual(['fame.fabric']);
    const second = rec.built[1]!.auth;
    expect(second.type !== 'NoAuth' && (await second.tokenProvider.getToken()).value).toBe('token-2');
    dialer.close();
    await expect(dialer.dial(request('agent-1'))).rejects.toMatchObject({ code: 'CONNECTOR_CLOSED' });
  });

  it('direct admission keeps one transport dialer for its one grant across reconnects', async () => {
    const rec = recordingDialers();
    const client = directAdmissionClient({ grants: [{ type: 'WebSocketConnectionGrant', url: 'ws://p/a', auth: { type: 'NoAuth' } }] });
    const dialer = new AdmissionDialer({ client, dialers: rec.dialers });
    await dialer.dial(request('n'));
    await dialer.dial(request('n'));
    expect(rec.built).toHaveLength(1);
    expect(rec.dialed).toHaveLength(2);
  });

  it('refuses to dial under another id than the first admission gave, or without a grant it can dial', async () => {
    let n = 0;
    const renaming = countingWelcomeClient(3_600_000, (r) => `${r.systemId}-${n++}`);
    const dialer = new AdmissionDialer({ client: renaming.client, dialers: recordingDialers().dialers });
    expect((await dialer.admit('a')).systemId).toBe('a-0');
    await dialer.dial(request('a-0'));
    await expect(dialer.dial(request('a-0'))).rejects.toMatchObject({
      code: 'ADMISSION_FAILED',
      message: expect.stringContaining('"a-1"') as unknown,
    });

    const noGrants = new AdmissionDialer({ client: noopAdmissionClient(), dialers: recordingDialers().dialers });
    await expect(noGrants.dial(request('r'))).rejects.toThrow(/no node.attach grant .* offered: none/);
    const wsOnly = new AdmissionDialer({
      client: countingWelcomeClient(60_000).client,
      dialers: { WebSocketConnectionGrant: recordingDialers().dialers.WebSocketConnectionGrant },
    });
    await expect(wsOnly.dial(request('r'))).rejects.toThrow(
      /offered: InPageConnectionGrant\(node.attach\), HttpConnectionGrant\(node.attach\)/,
    );
  });

  it('honours the welcome expiry: the link is closed before expiresAt, so the next dial admits again', async () => {
    vi.useFakeTimers();
    const welcome = countingWelcomeClient(10 * 60_000);
    const rec = recordingDialers();
    const dialer = new AdmissionDialer({ client: welcome.client, dialers: rec.dialers, renewBeforeMs: 60_000 });
    const connector = (await dialer.dial(request('n'))) as ReturnType<typeof fakeConnector>;
    await vi.advanceTimersByTimeAsync(9 * 60_000 - 1000);
    expect(connector.state).toBe('open');
    await vi.advanceTimersByTimeAsync(2000);
    expect(connector.closedWith).toEqual([1000, 'admission expiring']);
    await dialer.dial(request('n'));
    expect(welcome.hellos).toHaveLength(2);

    // A welcome shorter than the margin still gives the link half its lifetime, never a reconnect storm.
    const short = new AdmissionDialer({ client: countingWelcomeClient(30_000).client, dialers: rec.dialers, renewBeforeMs: 60_000 });
    const early = (await short.dial(request('n'))) as ReturnType<typeof fakeConnector>;
    await vi.advanceTimersByTimeAsync(14_000);
    expect(early.state).toBe('open');
    await vi.advanceTimersByTimeAsync(2000);
    expect(early.state).toBe('closed');
    dialer.close();
    short.close();
  });
});
