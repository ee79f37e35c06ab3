import { describe, expect, it } from 'vitest';
import { hostLogicalError, hostLogicalsError } from './logicals.js';

describe('host logicals', () => {
  it.each(['fame.fabric', 'a', 'agents.fame.fabric', '*.fame.fabric', 'x-1.y2', `${'a'.repeat(63)}.b`])('%s is valid', (logical) =>
    expect(hostLogicalError(logical)).toBeUndefined(),
  );

  it.each([
    ['math@fame.fabric', "Host logical 'math@fame.fabric' is not a valid DNS hostname"],
    ['', 'Empty host logical'],
    ['a.*.b', "Host logical 'a.*.b' contains wildcard not in leftmost position"],
    ['*.', "Host logical '*.' has wildcard but no base domain"],
    ['*.-x', "Host logical '*.-x' base domain '-x' is not a valid DNS hostname"],
    ['-a.b', "Host logical '-a.b' is not a valid DNS hostname"],
    ['a..b', "Host logical 'a..b' is not a valid DNS hostname"],
    ['/fame/fabric', "Host logical '/fame/fabric' is not a valid DNS hostname"],
    [`${'a'.repeat(64)}.b`, `Host logical '${'a'.repeat(64)}.b' is not a valid DNS hostname`],
  ])('%j is refused with the reference message', (logical, message) => expect(hostLogicalError(logical)).toBe(message));

  it('reports the first invalid one of a list', () => {
    expect(hostLogicalsError(['ok.x', 'bad@x', 'also bad'])).toBe("Host logical 'bad@x' is not a valid DNS hostname");
    expect(hostLogicalsError([])).toBeUndefined();
  });
});
