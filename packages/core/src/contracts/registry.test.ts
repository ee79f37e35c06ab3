import { describe, expect, it } from 'vitest';
import { DuplicateRegistrationError, NotRegisteredError } from '../errors.js';
import { Registry } from './registry.js';

describe('Registry', () => {
  it('refuses silent duplicates and replaces only when asked', () => {
    const r = new Registry<number>('load balancer');
    r.register('hrw', 1);
    expect(() => r.register('hrw', 2)).toThrow(DuplicateRegistrationError);
    expect(() => r.register('hrw', 2)).toThrow('load balancer "hrw" is already registered');
    expect(r.get('hrw')).toBe(1);
    r.register('hrw', 3, { replace: true });
    expect(r.get('hrw')).toBe(3);
  });

  it('lists known names when a lookup fails', () => {
    const r = new Registry<number>('profile').register('open', 1).register('overlay', 2);
    expect(() => r.get('gated')).toThrow(NotRegisteredError);
    expect(() => r.get('gated')).toThrow('known: open, overlay');
    expect(r.find('gated')).toBeUndefined();
    expect(r.names()).toEqual(['open', 'overlay']);
    expect(r.unregister('open')).toBe(true);
    expect(r.has('open')).toBe(false);
  });
});
