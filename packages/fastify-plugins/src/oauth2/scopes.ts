import { OAuth2Error } from '../errors.js';

/**
 * The scopes to grant: the requested ones that are allowed. Nothing requested → every allowed
 * scope (as the reference). Requested scopes of which none is allowed → `invalid_scope` with
 * `unknownScopes: 'reject'` (default; the reference grants every allowed scope instead, S3),
 * or every allowed scope with `'grant-all'`.
 */
export function grantScopes(requested: string | undefined, allowed: readonly string[], unknownScopes: 'reject' | 'grant-all'): string[] {
  const asked = (requested ?? '').split(/\s+/).filter((s) => s !== '');
  if (asked.length === 0) return [...allowed];
  const granted = [...new Set(asked.filter((s) => allowed.includes(s)))];
  if (granted.length > 0) return granted;
  if (unknownScopes === 'grant-all') return [...allowed];
  throw new OAuth2Error('invalid_scope', `None of the requested scopes is allowed (allowed: ${allowed.join(' ')})`);
}
