/**
 * The HTTP client of token requests in browsers: the global `fetch` (called through
 * `globalThis` at request time, so a page or test that replaces it is honoured). Selected by the
 * package's `browser` export condition instead of undici.
 */
export function fetch(input: string | URL, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init);
}
