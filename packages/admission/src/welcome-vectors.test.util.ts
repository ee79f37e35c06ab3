import { readVector } from '@naylence-tools/conformance';

/** One recorded request/answer of `security/welcome-exchange.json`. */
export interface WelcomeExchange {
  readonly name: string;
  readonly request: {
    readonly method?: string;
    readonly url?: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Record<string, unknown>;
  };
  readonly response: { readonly status: number; readonly body: Record<string, unknown> };
}

export interface WelcomeVectors {
  readonly service_config: {
    readonly placement: { readonly targetSystemId: string; readonly targetPhysicalPath: string };
    readonly transport: { readonly url: string };
    readonly token_issuer: { readonly issuer: string; readonly kid: string; readonly ttlSec: number };
    readonly authorizer: { readonly secret: string };
  };
  readonly exchanges: readonly WelcomeExchange[];
  readonly decoded_attach_token: { readonly header: Record<string, unknown>; readonly payload: Record<string, unknown> };
  readonly direct_admission_client_welcome_envelope: Record<string, unknown>;
  readonly noop_admission_client_welcome_envelope: Record<string, unknown>;
}

/** The reference welcome exchange (TS 0.4.12 welcome router and DefaultWelcomeService). */
export const welcomeVectors: WelcomeVectors = readVector<WelcomeVectors>('security/welcome-exchange.json');

export function exchange(name: string): WelcomeExchange {
  const found = welcomeVectors.exchanges.find((e) => e.name === name);
  if (found === undefined) throw new Error(`no exchange ${name}`);
  return found;
}
