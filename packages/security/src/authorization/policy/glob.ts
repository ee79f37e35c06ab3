import { ConfigError } from '@naylence/core';

const cache = new Map<string, RegExp>();

/**
 * Compiles a basic-policy glob (admission-and-http §6.3): `**` = any characters, `*` = any run
 * of characters except `.`, `/` and `@`, `?` = one such character, everything else literal;
 * whole-string match. Patterns starting with `^` (regular expressions) are refused: only the
 * advanced policy accepts them.
 * @throws ConfigError for a `^` pattern
 */
export function compileGlob(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  if (pattern.startsWith('^'))
    throw new ConfigError(`policy: regular-expression patterns are not supported by the basic policy: ${JSON.stringify(pattern)}`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^./@]*';
    else if (c === '?') source += '[^./@]';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 's');
  if (cache.size < 1_000) cache.set(pattern, regex);
  return regex;
}

export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}
