// What the WebSocket listener uses besides its class: per-connection log lines, refusals, and
// small helpers around node:http.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { FameError, clipText, createAttachRefusal, encodeEnvelope, type LogLimiter, type Logger } from '@naylence/core';
import type { WebSocketConnector } from './connector.js';
import { requestPath } from './route.js';

/**
 * Log lines about one connection: the listener's logger with the connection's fields on each
 * line. Lines a peer can cause at will are rate-limited per message (with a count of the
 * suppressed ones).
 */
export class LinkLog {
  constructor(
    private readonly logger: Logger,
    private readonly limiter: LogLimiter,
    private readonly connector: WebSocketConnector,
    private readonly url: string | undefined,
  ) {}
  /** The connection's fields, computed only for a line that is written. */
  get fields(): Readonly<Record<string, unknown>> {
    return { connectorId: this.connector.id, path: clipText(requestPath(this.url)), remoteAddress: this.connector.info.remoteAddress };
  }
  info(message: string, extra: object = {}): void {
    this.limiter.log(this.logger, 'info', message, { ...this.fields, ...extra }, message);
  }
  warn(message: string, extra: object = {}): void {
    this.limiter.log(this.logger, 'warn', message, { ...this.fields, ...extra }, message);
  }
  error(error: unknown, message: string): void {
    this.limiter.log(this.logger, 'error', message, { ...this.fields, err: error }, message);
  }
}

/** Sends one NodeAttachAck `ok:false` (no corrId/refId; binary, camelCase) and closes the link. */
export function refuseLink(connector: WebSocketConnector, ackReason: string, code: number, closeReason: string): void {
  if (connector.state !== 'open') return;
  connector.send(encodeEnvelope(createAttachRefusal(ackReason)));
  void connector.close(code, closeReason);
}

export function refuseUpgrade(socket: Duplex, status: 404 | 429 | 503): void {
  const text = status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function startServer(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(new FameError('INVALID_CONFIG', `WebSocket listener cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Host part of a URL for a bound address: loopback for the unspecified addresses, brackets for IPv6. */
export function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
