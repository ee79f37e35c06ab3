import { ConfigError } from '@naylence/core';
import { constantTimeEqual } from '@naylence/security';
import { OAuth2Error } from '../errors.js';

/** A registered OAuth2 client. Without a secret it is a public client (PKCE only). */
export interface OAuth2Client {
  readonly clientId: string;
  readonly clientSecret?: string;
}

/** Client credentials as presented: HTTP Basic wins over the body (admission-and-http §8.3). */
export interface PresentedClient {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
}

/**
 * Reads `Authorization: Basic base64(id:secret)` (split at the first `:`, so secrets may contain
 * colons, unlike the reference: P5), else `client_id` / `client_secret` from the body.
 */
export function presentedClient(authorization: string | undefined, body: Readonly<Record<string, unknown>>): PresentedClient {
  const match = /^basic\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (match !== null) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
  }
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { clientId: text(body.client_id), clientSecret: text(body.client_secret) };
}

export function checkClients(clients: readonly OAuth2Client[]): readonly OAuth2Client[] {
  if (clients.length === 0) throw new ConfigError('oauth2 token plugin: at least one client is required');
  for (const client of clients) {
    if (typeof client.clientId !== 'string' || client.clientId === '')
      throw new ConfigError('oauth2 token plugin: a client id must be a non-empty string');
    if (client.clientSecret !== undefined && (typeof client.clientSecret !== 'string' || client.clientSecret === '')) {
      throw new ConfigError(`oauth2 token plugin: the secret of client ${JSON.stringify(client.clientId)} must be a non-empty string`);
    }
  }
  return clients;
}

/**
 * The registered client named `clientId`, compared in constant time against every client (so
 * timing does not tell whether an id exists).
 * @throws OAuth2Error `invalid_client` when no client has that id
 */
export function findClient(clients: readonly OAuth2Client[], clientId: string): OAuth2Client {
  let found: OAuth2Client | undefined;
  for (const client of clients) if (constantTimeEqual(clientId, client.clientId)) found = client;
  if (found === undefined) throw new OAuth2Error('invalid_client', 'Invalid client credentials');
  return found;
}

/** Whether `secret` is the client's secret (constant time); a public client has none. */
export function secretMatches(client: OAuth2Client, secret: string): boolean {
  return constantTimeEqual(secret, client.clientSecret ?? '') && client.clientSecret !== undefined;
}
