import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerTokenHeaderAuth, staticTokenProvider, webSocketSubprotocolAuth } from '@naylence/security';
import { describe, expect, it } from 'vitest';
import { welcomeServiceClient } from './welcome-client.js';
import { exchange } from './welcome-vectors.test.util.js';

interface Recorded {
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

/** A welcome service stand-in on 127.0.0.1 that answers every POST with `answer` and records the requests. */
async function fakeService(answer: (request: Recorded, response: ServerResponse) => void) {
  const requests: Recorded[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const recorded = { headers: request.headers, body: JSON.parse(text) as Record<string, unknown> };
      requests.push(recorded);
      answer(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fame/v1/welcome/hello`,
    requests,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (status: number, body: unknown) => (_request: Recorded, response: ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('welcome service client', () => {
  it('sends the hello as the reference client does and reads the reference service’s answer', async () => {
    const recorded = exchange('welcome_service_client_hello');
    await using service = await fakeService(json(200, recorded.response.body));
    const client = welcomeServiceClient({ url: service.url, auth: bearerTokenHeaderAuth(staticTokenProvider('welcome-shared-secret')) });
    const { welcome, authOf } = await client.hello({ systemId: 'agent-b', instanceId: 'inst-0001', logicals: ['fame.fabric'] });

    const [request] = service.requests;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe('Bearer welcome-shared-secret');
    // Envelope members in snake_case, the frame in camelCase, as in the recorded request.
    expect(Object.keys(request!.body).sort()).toEqual(
      Object.keys(recorded.request.body)
        .filter((k) => !['seq_id', 'flow_flags'].includes(k))
        .sort(),
    );
    expect(request!.body.frame).toEqual(recorded.request.body.frame);

    expect(welcome).toMatchObject({ systemId: 'agent-b', assignedPath: '/sentinel-a/agent-b', acceptedLogicals: ['fame.fabric'] });
    const auth = authOf(welcome.connectionGrants[0]!);
    expect(auth.type).toBe('WebSocketSubprotocolAuth');
    const attachToken = (recorded.response.body.frame as { connectionGrants: { auth: { tokenProvider: { token: string } } }[] })
      .connectionGrants[0]!.auth.tokenProvider.token;
    expect(auth.type !== 'NoAuth' && (await auth.tokenProvider.getToken()).value).toBe(attachToken);
  });

  it.each([
    [401, { detail: 'Authentication failed' }, 'AUTHENTICATION_FAILED'],
    [422, { detail: 'Envelope must contain a NodeHello frame' }, 'INVALID_HELLO'],
    [403, { detail: 'Unsupported transports: http' }, 'ADMISSION_REJECTED'],
    [500, { detail: "Invalid logical format: Host logical 'math@fame.fabric' is not a valid DNS hostname" }, 'ADMISSION_FAILED'],
  ])('a %i answer fails the hello with %s and the body', async (status, body, code) => {
    await using service = await fakeService(json(status, body));
    const client = welcomeServiceClient({ url: service.url });
    const failure = client.hello({ systemId: 'x', instanceId: 'i' });
    await expect(failure).rejects.toMatchObject({ code, message: expect.stringContaining(body.detail) as unknown });
  });

  it('fails with ADMISSION_FAILED when the service is unreachable, answers garbage or never answers', async () => {
    let url: string;
    {
      await using service = await fakeService(json(200, {}));
      url = service.url;
    }
    await expect(welcomeServiceClient({ url }).hello({ systemId: 'x', instanceId: 'i' })).rejects.toMatchObject({
      code: 'ADMISSION_FAILED',
    });

    await using garbage = await fakeService((_r, response) => response.writeHead(200).end('not json'));
    await expect(welcomeServiceClient({ url: garbage.url }).hello({ systemId: 'x', instanceId: 'i' })).rejects.toThrow(/not JSON/);

    await using silent = await fakeService(() => undefined);
    await expect(welcomeServiceClient({ url: silent.url, timeoutMs: 50 }).hello({ systemId: 'x', instanceId: 'i' })).rejects.toThrow(
      /no answer within 50 ms/,
    );
  });

  it('stops when the caller aborts (ABORTED), and refuses credentials an HTTP request cannot carry', async () => {
    await using silent = await fakeService(() => undefined);
    const controller = new AbortController();
    const hello = welcomeServiceClient({ url: silent.url }).hello({ systemId: 'x', instanceId: 'i', signal: controller.signal });
    controller.abort();
    await expect(hello).rejects.toMatchObject({ code: 'ABORTED' });
    expect(() => welcomeServiceClient({ url: silent.url, auth: webSocketSubprotocolAuth(staticTokenProvider('t')) })).toThrow(/WebSocket/);
    expect(() => welcomeServiceClient({ url: 'ws://x/hello' })).toThrow(/http: or https:/);
  });

  it('a welcome’s grants cannot read this process’s environment (env:// secrets)', async () => {
    process.env.ADMISSION_TEST_SECRET = 'do-not-send';
    const grant = {
      type: 'WebSocketConnectionGrant',
      url: 'ws://evil.example/attach',
      auth: {
        type: 'WebSocketSubprotocolAuth',
        tokenProvider: { type: 'SharedSecretTokenProvider', secret: 'env://ADMISSION_TEST_SECRET' },
      },
    };
    await using service = await fakeService(
      json(200, { frame: { type: 'NodeWelcome', systemId: 'x', instanceId: 'i', connectionGrants: [grant] } }),
    );
    const { welcome, authOf } = await welcomeServiceClient({ url: service.url }).hello({ systemId: 'x', instanceId: 'i' });
    expect(() => authOf(welcome.connectionGrants[0]!)).toThrow(/ADMISSION_TEST_SECRET is not set/);
    delete process.env.ADMISSION_TEST_SECRET;
  });
});
