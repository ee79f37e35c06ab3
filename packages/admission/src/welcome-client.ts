import {
  AbortedError,
  ConfigError,
  createEnvelope,
  FameError,
  isFameError,
  NOOP_LOGGER,
  type ErrorCode,
  type Logger,
  type NodeHelloFrame,
} from '@naylence/core';
import { applyAuthInjection, NO_AUTH, type AuthInjection } from '@naylence/security';
import type { Admission, AdmissionClient, HelloRequest } from './admission-client.js';
import { snakeCaseTopLevel } from './casing.js';
import { grantAuthResolver } from './grant-auth.js';
import { parseWelcomeEnvelope } from './welcome.js';

/** The welcome route of a welcome service, after its base URL (admission-and-http §8.5). */
export const WELCOME_HELLO_PATH = '/fame/v1/welcome/hello';
export const DEFAULT_WELCOME_TIMEOUT_MS = 10_000;
/** Largest welcome answer read (a welcome is a few KiB). */
const MAX_RESPONSE_BYTES = 256 * 1024;

export interface WelcomeServiceClientOptions {
  /** The hello URL, normally `{welcome service}/fame/v1/welcome/hello` (`FAME_ADMISSION_SERVICE_URL`). */
  readonly url: string;
  /** Transports this node can dial, sent in the hello. Default `["websocket"]`. */
  readonly supportedTransports?: readonly string[];
  /** Credentials of the hello request: `NoAuth`, `BearerTokenHeaderAuth` (the profiles' OAuth2 token) or `QueryParamAuth`. */
  readonly auth?: AuthInjection;
  /** A root: admitted (id, path) but with no parent to dial (`FAME_ROOT`). */
  readonly isRoot?: boolean;
  /** Time allowed for one hello (token fetch included). Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** The HTTP client. Default the platform's `fetch` (undici on Node). */
  readonly fetch?: typeof globalThis.fetch;
  readonly logger?: Logger;
}

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  401: 'AUTHENTICATION_FAILED',
  403: 'ADMISSION_REJECTED',
  422: 'INVALID_HELLO',
};

/**
 * The welcome service client (admission-and-http §2.1, `WelcomeServiceClient`): `POST url` with
 * a NodeHello envelope (envelope members in snake_case, the frame in camelCase, as the
 * reference writes it) and the credentials of `auth`; the answer is read in any casing.
 *
 * Grants in the answer are trusted only as far as their own content goes: their token
 * providers are resolved without access to this process's environment (`env://` secrets).
 *
 * @throws ConfigError for a non-http(s) URL or an auth strategy an HTTP request cannot carry
 *   (WebSocket subprotocols)
 */
export function welcomeServiceClient(options: WelcomeServiceClientOptions): AdmissionClient {
  const url = checkUrl(options.url);
  const auth = options.auth ?? NO_AUTH;
  if (auth.type === 'WebSocketSubprotocolAuth')
    throw new ConfigError('welcome service client: WebSocketSubprotocolAuth cannot authenticate an HTTP request');
  const supportedTransports = [...(options.supportedTransports ?? ['websocket'])];
  const timeoutMs = options.timeoutMs ?? DEFAULT_WELCOME_TIMEOUT_MS;
  const logger = (options.logger ?? NOOP_LOGGER).child({ component: 'welcome-client', url: url.origin + url.pathname });
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const what = `hello to ${url.origin}${url.pathname}`;

  return {
    kind: 'welcome',
    hasUpstream: options.isRoot !== true,
    async hello(request: HelloRequest): Promise<Admission> {
      const signals = [AbortSignal.timeout(timeoutMs), ...(request.signal ? [request.signal] : [])];
      const signal = AbortSignal.any(signals);
      const frame: NodeHelloFrame = {
        type: 'NodeHello',
        systemId: request.systemId,
        logicals: [...(request.logicals ?? [])],
        ...(request.capabilities !== undefined && { capabilities: [...request.capabilities] }),
        supportedTransports,
        instanceId: request.instanceId,
      };
      const { frame: helloFrame, ...headers } = createEnvelope({ frame });
      const body = JSON.stringify({ ...snakeCaseTopLevel(headers), frame: helloFrame });
      let status: number;
      let text: string;
      try {
        const credentials = await applyAuthInjection(
          auth,
          { url: url.href, headers: { 'Content-Type': 'application/json' }, protocols: [] },
          signal,
        );
        const response = await fetchFn(credentials.url, { method: 'POST', headers: credentials.headers, body, signal });
        status = response.status;
        text = await readText(response);
      } catch (error) {
        if (request.signal?.aborted) throw new AbortedError(what, { cause: request.signal.reason });
        if (isFameError(error) && error.code !== 'ABORTED') throw error;
        const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : (error as Error).message;
        throw new FameError('ADMISSION_FAILED', `${what} failed: ${reason}`, { cause: error });
      }
      if (status < 200 || status > 299) {
        const code = STATUS_CODES[status] ?? 'ADMISSION_FAILED';
        logger.warn({ status, body: text.slice(0, 200) }, 'welcome service refused the hello');
        throw new FameError(code, `${what} answered ${status}: ${text.slice(0, 500)}`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new FameError('ADMISSION_FAILED', `${what}: the answer is not JSON`, { cause: error });
      }
      const welcome = parseWelcomeEnvelope(parsed);
      logger.debug({ systemId: welcome.systemId, assignedPath: welcome.assignedPath, grants: welcome.connectionGrants.length }, 'welcomed');
      return { welcome, authOf: grantAuthResolver({ env: {} }) };
    },
  };
}

async function readText(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new FameError('ADMISSION_FAILED', `the welcome answer is too large (${length} bytes)`);
  }
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES) throw new FameError('ADMISSION_FAILED', 'the welcome answer is too large');
  return text;
}

function checkUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`welcome service URL ${JSON.stringify(value)} is not a URL`, { setting: 'FAME_ADMISSION_SERVICE_URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`welcome service URL must use http: or https:, got ${JSON.stringify(url.protocol)}`, {
      setting: 'FAME_ADMISSION_SERVICE_URL',
    });
  return url;
}
