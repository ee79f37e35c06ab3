import { describe, expect, it } from 'vitest';
import { isPathWithin, isValidSystemId, systemIdProblem } from './address.js';
import { clipText } from './clip.js';
import { authenticatedSubject } from './contracts/auth.js';
import { decodeEnvelope } from './codec/decode.js';
import type { Logger } from './contracts/logger.js';
import { LogLimiter } from './log-limiter.js';

describe('input a peer chooses', () => {
  it('clips peer text to printable ASCII and a bounded length', () => {
    expect(clipText('node-1')).toBe('node-1');
    expect(clipText('a\nb\u0000c\u00e9')).toBe('a?b?c?');
    const long = clipText('x'.repeat(10_000));
    expect(long).toBe(`${'x'.repeat(100)}…(10000 chars)`);
  });

  it('keeps decoder errors small whatever the peer sent', () => {
    for (const input of [
      `{"frame":{"type":"${'B'.repeat(50_000)}"}}`,
      `not json ${'x'.repeat(50_000)}`,
      `{"to":"${'a'.repeat(50_000)}","frame":{"type":"Data"}}`,
    ]) {
      expect(() => decodeEnvelope(input)).toThrow();
      try {
        decodeEnvelope(input);
      } catch (error) {
        expect((error as Error).message.length).toBeLessThan(300);
      }
    }
  });

  it('accepts system ids that are path segments only', () => {
    for (const id of ['n1z4APh1v66jwtuJ', 'ref-agent-123', 'a.b_c', 'x'.repeat(128)]) expect(isValidSystemId(id), id).toBe(true);
    for (const id of ['', 'a/b', 'node-a%2Fevil', 'a\\b', 'a b', 'a\u0000b', 'é', '.', '..', 'a@b', 'x'.repeat(129)]) {
      expect(systemIdProblem(id), id).toBeDefined();
    }
  });

  it('tells paths within a subtree', () => {
    expect(isPathWithin('/a/b', '/a')).toBe(true);
    expect(isPathWithin('/a', '/a')).toBe(true);
    expect(isPathWithin('/ab', '/a')).toBe(false);
    expect(isPathWithin('/b/a', '/a')).toBe(false);
  });

  it('names a token subject only for a verified sub claim', () => {
    expect(authenticatedSubject({ authenticated: true, claims: { sub: 'alice' } })).toBe('alice');
    expect(authenticatedSubject({ authenticated: true, principal: 'shared_secret_user', authMethod: 'shared-secret' })).toBeUndefined();
    expect(authenticatedSubject({ authenticated: false, claims: { sub: 'alice' } })).toBeUndefined();
    expect(authenticatedSubject(undefined)).toBeUndefined();
  });

  it('rate-limits repeated lines per key and reports how many it held back', () => {
    const lines: { fields: object; message: string }[] = [];
    const logger = { warn: (fields: object, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const limiter = new LogLimiter(2, 1_000);
    for (let i = 0; i < 5; i++) limiter.log(logger, 'warn', 'k', { i }, 'again', 0);
    limiter.log(logger, 'warn', 'other', {}, 'other key', 0);
    limiter.log(logger, 'warn', 'k', { i: 5 }, 'again', 1_000);
    expect(lines.map((l) => l.fields)).toEqual([{ i: 0 }, { i: 1 }, {}, { i: 5, suppressed: 3 }]);
  });
});
