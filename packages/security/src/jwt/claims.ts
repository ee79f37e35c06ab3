/**
 * Reading what listeners pass to authorizers and what tokens carry. Platform-neutral and free of
 * `jose`, so token providers in the browser entry can use it; verification lives in `verify.ts`.
 */
import { base64Decode, utf8Decode } from '../crypto/encoding.js';

const BEARER = /^bearer\s+/i;

/**
 * The token in `"Bearer <token>"` (a leading `Bearer `, any case, is stripped; a bare token is
 * accepted too); undefined when there is none.
 */
export function bearerToken(credentials: string | undefined): string | undefined {
  if (credentials === undefined) return undefined;
  const token = credentials.replace(BEARER, '').trim();
  return token === '' ? undefined : token;
}

function splitScopes(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/**
 * The scopes a token grants (admission-and-http §5.3): `scope` (space- or comma-separated
 * string, or array), `scopes` and `scp`; with `capabilities`, also the `capabilities` array (the
 * OAuth2 authorizer reads it, and reverse-auth tokens carry their scopes there). Deduplicated,
 * in order of appearance.
 */
export function grantedScopes(claims: Readonly<Record<string, unknown>>, options: { readonly capabilities?: boolean } = {}): string[] {
  const all = [...splitScopes(claims.scope), ...splitScopes(claims.scopes), ...splitScopes(claims.scp)];
  if (options.capabilities) all.push(...splitScopes(claims.capabilities));
  return [...new Set(all)];
}

/** A claim as a non-empty string, else undefined. */
export function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The claims of a compact JWS, decoded **without** verification; undefined for anything that is
 * not three dot-separated parts with a base64url JSON object in the middle. Only for reading
 * what a token says about itself (`exp`, `sub`) on the side that holds it; never to trust it.
 */
export function unverifiedClaims(token: string): Readonly<Record<string, unknown>> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const bytes = base64Decode(parts[1]!);
  if (bytes === undefined) return undefined;
  try {
    const claims = JSON.parse(utf8Decode(bytes)) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
