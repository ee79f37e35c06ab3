import {
  AbortedError,
  FameTimeoutError,
  NOOP_LOGGER,
  dialToken,
  randomId,
  type Dialer,
  type DialRequest,
  type Logger,
  type TokenProvider,
} from '@naylence/core';
import { BusConnector, DEFAULT_HIGH_WATER_MARK } from './bus-connector.js';
import { BusEndpoint } from './bus-endpoint.js';
import { DEFAULT_CHANNEL_NAME, type BusMessage } from './bus-message.js';
import type { Bus } from './buses.js';

/** Default time a dial waits for a listener to accept. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A dial repeats its `open` this often until accepted (a listener may start after the dialer). */
const OPEN_REPEAT_MS = 250;

export interface BusDialerOptions {
  /** The channel the listener listens on. Default `naylence-fabric` (the reference's). */
  readonly channelName?: string;
  /** Supplies the bearer token the listener's authorizer checks; absent = no credentials. */
  readonly tokenProvider?: TokenProvider;
  /** Attach only to the listener of this node (its system id). Default: the first listener that accepts. */
  readonly targetSystemId?: string;
  /** How long a dial waits for a listener to accept (not for the token). Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Outbound high-water mark of the links, in bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  readonly logger?: Logger;
}

/**
 * Opens links over a bus (in-page or BroadcastChannel) to a listener on a named channel: a core
 * {@link Dialer}. Each dial opens its own port, posts `open` (with the token, repeated until a
 * listener answers) and resolves with the link once a listener accepts (a second listener that
 * also accepted is told to close by the link). The fabric calls `dial` again for every reconnect.
 */
export class BusDialer implements Dialer {
  readonly transport: string;
  readonly #bus: Bus;
  readonly #options: BusDialerOptions;
  readonly #channel: string;
  readonly #logger: Logger;

  constructor(bus: Bus, options: BusDialerOptions = {}) {
    this.#bus = bus;
    this.transport = bus.transport;
    this.#options = options;
    this.#channel = options.channelName ?? DEFAULT_CHANNEL_NAME;
    this.#logger = (options.logger ?? NOOP_LOGGER).child({ transport: bus.transport, channel: this.#channel });
  }

  /**
   * Opens one link. Authentication failures show up after it opened, as a NodeAttachAck
   * `ok:false` and a 1008 close, as on a WebSocket.
   * @throws FameTimeoutError (`TIMEOUT`) when no listener accepts within `connectTimeoutMs`;
   *   AbortedError (`ABORTED`) when `signal` aborts; a FameError with code
   *   `AUTHENTICATION_FAILED` when the token provider fails; ConfigError when the platform
   *   lacks the bus
   */
  async dial(request: DialRequest): Promise<BusConnector> {
    const { signal } = request;
    const what = `${this.#bus.transport} connect on channel ${JSON.stringify(this.#channel)}`;
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
    const token = await dialToken(this.#options.tokenProvider, what, signal);
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });

    const id = randomId();
    const highWaterMark = this.#options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    const timeoutMs = this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const endpoint = new BusEndpoint(this.#bus, this.#channel, this.#logger);
    const open: BusMessage = {
      senderId: id,
      senderNodeId: request.systemId,
      targetNodeId: this.#options.targetSystemId ?? '*',
      ctl: { type: 'open', originType: request.originType, window: highWaterMark, ...(token !== undefined && { token }) },
    };
    this.#logger.debug({ systemId: request.systemId }, 'dialing');

    return new Promise<BusConnector>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        clearInterval(repeat);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: Error): void => {
        if (!settle()) return;
        endpoint.close();
        reject(error);
      };
      const onAbort = (): void => fail(new AbortedError(what, { cause: signal?.reason }));
      const timer = setTimeout(() => fail(new FameTimeoutError(what, timeoutMs)), timeoutMs);
      const repeat = setInterval(() => endpoint.post(open), OPEN_REPEAT_MS);
      signal?.addEventListener('abort', onAbort, { once: true });

      endpoint.attach(id, {
        receive: (message) => {
          if (message.ctl?.type !== 'accept' || !settle()) return;
          const ids = {
            id,
            nodeId: request.systemId,
            peerId: message.senderId,
            peerNodeId: message.senderNodeId,
            peerHighWaterMark: message.ctl.window,
          };
          resolve(new BusConnector(endpoint, ids, { highWaterMark, logger: this.#options.logger ?? NOOP_LOGGER }, () => endpoint.close()));
        },
      });
      endpoint.post(open);
    });
  }
}
