import { ConfigError } from '@naylence/core';

/** The reference's environment variable for the URL a node's HTTP listener is reachable at. */
export const PUBLIC_URL_ENV = 'FAME_PUBLIC_URL';

/**
 * Checks a public base URL (`http:`/`https:`, no query or fragment) and returns it without a
 * trailing `/`, so route paths can be appended (`{publicUrl}/fame/v1/ingress/upstream`).
 * @throws ConfigError naming `what` when the URL is unusable
 */
export function normalizePublicUrl(value: string, what = 'public URL'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what} ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${what} must use http: or https:, got ${JSON.stringify(url.protocol)}`);
  }
  if (url.search !== '' || url.hash !== '') throw new ConfigError(`${what} must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** `FAME_PUBLIC_URL` from `env` (default `process.env`), normalized; undefined when unset or empty. */
export function publicUrlFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const value = env[PUBLIC_URL_ENV]?.trim();
  return value ? normalizePublicUrl(value, PUBLIC_URL_ENV) : undefined;
}

/** Host part of a URL for a bound address: loopback for the unspecified addresses, brackets for IPv6. */
export function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
