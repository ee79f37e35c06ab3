import type { TokenProvider } from './contracts/auth.js';
import { AbortedError, FameError, isFameError } from './errors.js';

/**
 * The bearer token a dialer presents (undefined without a provider), with the failures every
 * transport reports alike: `ABORTED` when `signal` aborted, a provider's FameError as it is, and
 * anything else as `AUTHENTICATION_FAILED` naming `what` (e.g. `WebSocket connect to ws://…`).
 */
export async function dialToken(provider: TokenProvider | undefined, what: string, signal?: AbortSignal): Promise<string | undefined> {
  if (provider === undefined) return undefined;
  try {
    return (await provider.getToken(signal)).value;
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(what, { cause: signal.reason });
    if (isFameError(error)) throw error;
    throw new FameError('AUTHENTICATION_FAILED', `${what}: token provider failed: ${(error as Error).message}`, { cause: error });
  }
}
