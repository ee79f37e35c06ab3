import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  hostMatchesPool,
  isPoolPattern,
  isReservedParticipant,
  isValidAddress,
  locationHost,
  matchPool,
  parseAddress,
  physicalAddress,
  poolSpecificity,
  splitAddress,
  tryParseAddress,
} from './address.js';
import { InvalidAddressError } from './errors.js';

describe('address grammar (protocol-core §2.1)', () => {
  it.each([
    ['math@fame.fabric', { participant: 'math', host: 'fame.fabric' }],
    ['math@*.fame.fabric', { participant: 'math', host: '*.fame.fabric' }],
    ['__sys__@/n1z4APh1v66jwtuJ/uLCVO7F9EAxxrQHB', { participant: '__sys__', path: '/n1z4APh1v66jwtuJ/uLCVO7F9EAxxrQHB' }],
    ['svc@fame.fabric/api/v1', { participant: 'svc', host: 'fame.fabric', path: '/api/v1' }],
    [
      '__rpc__h9R1LqLsOx3gwaSg@/n1z4APh1v66jwtuJ/lcpjOo8HFutCs9We',
      { participant: '__rpc__h9R1LqLsOx3gwaSg', path: '/n1z4APh1v66jwtuJ/lcpjOo8HFutCs9We' },
    ],
    ['r@/n1z4APh1v66jwtuJ/extra899013', { participant: 'r', path: '/n1z4APh1v66jwtuJ/extra899013' }],
    ['root@/', { participant: 'root', path: '/' }],
    ['a-b_c@x-1.y', { participant: 'a-b_c', host: 'x-1.y' }],
    ['p@/a.b/c_d/e-f', { participant: 'p', path: '/a.b/c_d/e-f' }],
    ['any@*', { participant: 'any', host: '*' }],
  ])('parses %s', (text, parts) => {
    expect(parseAddress(text)).toEqual(parts);
    expect(isValidAddress(text)).toBe(true);
    expect(formatAddress(parts)).toBe(text);
  });

  it.each([
    ['math', /missing "@"/],
    ['@fame.fabric', /participant/],
    ['ma th@fame.fabric', /participant/],
    ['a@b@fame.fabric', /participant/],
    ['math@', /empty location/],
    ['a@x.*.y', /leftmost/],
    ['a@/p/*', /path segment/],
    ['a@/p//q', /empty path segment/],
    ['a@/p/', /empty path segment/],
    ['a@fame..fabric', /host label/],
    ['a@fa_me.fabric', /host label/],
    ['a@fame.fabric/*', /path segment/],
  ])('rejects %s', (text, reason) => {
    expect(isValidAddress(text)).toBe(false);
    expect(tryParseAddress(text)).toBeUndefined();
    expect(() => parseAddress(text)).toThrow(InvalidAddressError);
    expect(() => parseAddress(text)).toThrow(reason);
  });

  it('builds physical addresses', () => {
    expect(physicalAddress('__sys__', '/a/b')).toBe('__sys__@/a/b');
    expect(() => physicalAddress('__sys__', '/a//b')).toThrow(InvalidAddressError);
  });

  it('knows the reserved participants', () => {
    expect(isReservedParticipant('__sys__')).toBe(true);
    expect(isReservedParticipant('__rpc__abc')).toBe(true);
    expect(isReservedParticipant('math')).toBe(false);
  });
});

describe('pools (protocol-core §2.4)', () => {
  it('recognises pool patterns', () => {
    expect(isPoolPattern('*.fame.fabric')).toBe(true);
    expect(isPoolPattern('*')).toBe(true);
    expect(isPoolPattern('fame.fabric')).toBe(false);
  });

  it.each([
    ['fame.fabric', '*.fame.fabric', true],
    ['a.fame.fabric', '*.fame.fabric', true],
    ['x.y.fame.fabric', '*.fame.fabric', true],
    ['afame.fabric', '*.fame.fabric', false],
    ['fabric', '*.fame.fabric', false],
    ['anything.at.all', '*', true],
    ['fame.fabric', 'fame.fabric', false],
  ])('%s in %s: %s', (host, pattern, expected) => {
    expect(hostMatchesPool(host, pattern)).toBe(expected);
  });

  it('picks the most specific pool', () => {
    const patterns = ['*', '*.fabric', '*.fame.fabric', '*.other.fabric'];
    expect(matchPool('a.fame.fabric', patterns)).toBe('*.fame.fabric');
    expect(matchPool('x.fabric', patterns)).toBe('*.fabric');
    expect(matchPool('elsewhere', patterns)).toBe('*');
    expect(matchPool('elsewhere', ['*.fabric'])).toBeUndefined();
    expect(poolSpecificity('*.fame.fabric')).toBe(2);
  });
});

describe('splitAddress', () => {
  it('splits at the last @ without validating', () => {
    expect(splitAddress('math@fame.fabric')).toEqual({ participant: 'math', location: 'fame.fabric' });
    expect(splitAddress('a@b@/x/y')).toEqual({ participant: 'a@b', location: '/x/y' });
    expect(splitAddress('svc@fame.fabric/api')).toEqual({ participant: 'svc', location: 'fame.fabric/api' });
    expect(splitAddress('no-at')).toBeUndefined();
    expect(splitAddress('@nobody')).toBeUndefined();
    expect(locationHost('fame.fabric/api')).toBe('fame.fabric');
    expect(locationHost('/a/b')).toBe('');
    expect(locationHost('fame.fabric')).toBe('fame.fabric');
  });
});
